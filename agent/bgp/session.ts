/**
 * SHELL. One BGP peer: drives the pure FSM on the injected clock over its link (session-link.ts:
 * connection, framer, inbound messages) and executes the FSM's actions; decisions live in fsm/,
 * inbound.ts and adj-rib-out.ts.
 */
import { monotonicNow } from '../lib/clock.ts';
import type { PrefixList } from '../net/prefix-list.ts';
import { type RibOutContext, ribContext } from './adj-rib-out.ts';
import { Collisions } from './collision-hold.ts';
import { sendHoldTime, step } from './fsm/index.ts';
import type { FsmAction, FsmEvent, TimerName } from './fsm/types.ts';
import { OutputPump } from './output-pump.ts';
import type { RouteAttributes } from './rib/route-attributes.ts';
import { SendHoldTimer } from './send-hold.ts';
import { type Direction, SessionLink } from './session-link.ts';
import type { BgpConnection } from './transport.ts';
import {
  describeNotification,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  notificationName,
  openFor,
  type UpdateMessage,
} from './wire/index.ts';

export type { SessionConfig } from './peer.ts';
export type { SessionDeps, SessionEvents } from './session-types.ts';

const NO_DATA = new Uint8Array(0);

export { OUTPUT_BUDGET_BYTES } from './output-pump.ts';

export class Session extends SessionLink {
  private readonly collisions = new Collisions({
    view: () => ({
      state: this.fsm.name,
      stopped: this.fsm.stopped,
      hasConnection: !!this.conn,
      gracefulRestart: !!this.negotiated?.gracefulRestart,
    }),
    current: () => this.conn,
    routerId: () => this.deps.routerId,
    decodeContext: () => this.ctx,
    dispatch: (e) => this.dispatch(e),
    takeOver: (c, framer, framed) => this.takeOver(c, framer, framed),
    sent: (code, subcode) => this.recordNotification('sent', code, subcode, notificationName(code, subcode)),
  });

  /** RFC 9687, on its own timer on the injected clock (send-hold.ts). */
  private readonly sendHold = new SendHoldTimer(
    this.deps.clock,
    () => this.sendHoldMs(),
    () => this.conn?.blockedSince,
    () => this.onSendHoldExpired(),
  );
  /** Encodes UPDATEs only while the socket takes them (output-pump.ts). */
  private readonly output = new OutputPump(this.rib, this.deps.clock, {
    connection: () => (this.fsm.name === 'Established' ? this.conn : undefined),
    context: () => this.ribContext(),
    send: (b) => this.send(b),
    sent: (updates) => {
      if (updates) this.deps.events?.updatesSent?.(this, updates);
      this.deps.events?.advertised?.(this);
    },
  });
  /** Times the send-hold timer ended this session (/status, metrics). */
  sendHoldExpiries = 0;

  start(): void {
    this.dispatch({ type: this.config.passive ? 'ManualStart_with_PassiveTcpEstablishment' : 'ManualStart' });
  }

  /** Stops for good: with a NOTIFICATION (withdraw mode) or silently (keep mode). */
  stop(notify?: { code: number; subcode: number; data?: Uint8Array }): Promise<void> {
    this.collisions.stop();
    this.hold.cancel();
    this.sendHold.stop();
    this.output.cancel();
    if (!notify && this.conn) {
      // keep: drop TCP without NOTIFICATION so graceful-restart peers keep our routes
      this.closing.push(this.conn.closed);
      this.conn.destroy();
      this.conn = undefined;
    }
    this.dispatch(notify ? { type: 'ManualStop', notify } : { type: 'ManualStop' });
    const all = Promise.all(this.closing).then(() => {});
    this.closing = [];
    return all;
  }

  /**
   * Bytes sent on the Established session that the peer's TCP has not acknowledged (0: every
   * UPDATE so far reached it); undefined when it cannot be told. Not Established: 0 (nothing to wait for).
   * Changes still pending in the Adj-RIB-Out (the socket could not take them yet) are not even
   * encoded: each counts as one byte, a lower bound of its NLRI, so a drain never ends before them.
   */
  sendQueueBytes(): number | undefined {
    if (this.fsm.name !== 'Established' || !this.conn) return 0;
    const socket = this.conn.unacknowledgedBytes ? this.conn.unacknowledgedBytes() : this.conn.queuedBytes;
    const pending = this.rib.pendingCount;
    return pending ? (socket ?? 0) + pending : socket;
  }

  /** The path liveness detector (BFD) says the path is Up: a held connect goes now. */
  livenessUp(): void {
    this.hold.up();
  }

  /** The path failed (BFD Up -> Down): an open session goes down at once with Cease 10 "BFD Down". */
  livenessDown(reason: string): void {
    this.dispatch({ type: 'LivenessDown', reason });
  }

  /** An accepted connection from this peer (listener); refused while BFD holds the session. */
  accept(c: BgpConnection): void {
    if (!this.hold.admitIncoming()) {
      c.destroy();
      return;
    }
    this.collisions.accept(c);
  }

  /**
   * Desired prefixes for this peer (`attributes`: those with attributes of their own); the changes
   * go out as the socket takes them when Established.
   */
  setDesired(prefixes: PrefixList, attributes?: ReadonlyMap<string, RouteAttributes>): void {
    this.rib.setDesired(prefixes, attributes);
    if (this.fsm.name !== 'Established') return;
    this.rib.prepare(this.ribContext());
    this.output.run();
  }

  protected dispatch(e: FsmEvent): void {
    // The FSM's time only stamps establishedAt (shown, wall); its deadlines are timers (monotonic).
    const r = step(this.fsm, e, this.deps.clock.now(), this.deps.random);
    if (r.state.name === 'Established' && this.fsm.name !== 'Established')
      this.establishedMonotonic = monotonicNow(this.deps.clock);
    if (r.state.name !== this.fsm.name)
      this.deps.log.debug('bgp fsm', {
        peer: this.config.id,
        event: e.type,
        from: this.fsm.name,
        to: r.state.name,
      });
    this.fsm = r.state;
    for (const a of r.actions) this.run(a);
  }

  private run(a: FsmAction): void {
    switch (a.type) {
      case 'connect':
        this.gatedConnect();
        break;
      case 'sendOpen':
        this.sendHold.start();
        this.send(
          encodeOpen(
            openFor(this.config.localASN, this.config.holdTimeSeconds, this.deps.routerId, this.caps),
          ),
        );
        break;
      case 'sendKeepalive':
        this.send(encodeKeepalive());
        break;
      case 'sendNotification': {
        const n = { code: a.code, subcode: a.subcode, data: a.data ?? NO_DATA };
        this.recordNotification('sent', a.code, a.subcode, describeNotification(n));
        this.send(encodeNotification(n));
        break;
      }
      case 'close':
        this.sendHold.stop();
        this.output.cancel();
        if (this.conn) this.closing.push(this.conn.closed);
        if (this.abortive) this.conn?.destroy();
        else this.conn?.end();
        this.conn = undefined;
        this.negotiated = undefined;
        break;
      case 'startTimer':
        this.timers.start(a.timer, a.ms);
        break;
      case 'stopTimer':
        this.timers.stop(a.timer);
        break;
      case 'established':
        this.deps.log.info('bgp session established', {
          peer: this.config.id,
          holdTime: a.holdTime,
          capabilities: this.negotiated?.names,
        });
        this.lastErr.clear();
        this.deps.events?.established?.(this);
        this.rib.restart(this.ribContext());
        this.output.run();
        break;
      case 'down':
        // A stop we asked for (shutdown, peer removed) is not a warning.
        this.deps.log[a.reason === 'stopped' ? 'info' : 'warn']('bgp session down', {
          peer: this.config.id,
          reason: a.reason,
        });
        this.noteError(`session lost: ${a.reason}`, false);
        this.rib.clear();
        this.deps.events?.advertised?.(this);
        this.deps.events?.down?.(this, a.reason);
        break;
    }
  }

  protected onTimer(t: TimerName): void {
    this.dispatch({ type: `${t}_Expires` } as FsmEvent);
  }

  /** RFC 9687 SendHoldTime: max(8 minutes, 2 x hold time), also with hold time 0 (or the test override). */
  private sendHoldMs(): number {
    return (
      this.deps.sendHoldTimeMs ?? sendHoldTime(this.fsm.negotiatedHoldTime ?? this.config.holdTimeSeconds)
    );
  }

  /** The peer read nothing for SendHoldTime: NOTIFICATION 8 if the socket takes it now, then close at once. */
  private onSendHoldExpired(): void {
    this.sendHoldExpiries++;
    this.deps.log.warn('bgp send hold timer expired: the peer stopped reading', {
      peer: this.config.id,
      seconds: this.sendHoldMs() / 1000,
      queuedBytes: this.conn?.queuedBytes ?? 0,
    });
    this.deps.events?.sendHoldExpired?.(this);
    this.abortive = true;
    try {
      this.dispatch({ type: 'SendHoldTimer_Expires' });
    } finally {
      this.abortive = false;
    }
  }

  protected connectionLost(): void {
    this.sendHold.stop();
    this.output.cancel();
  }

  protected pumpOutput(): void {
    this.output.run();
  }

  protected updateReceived(m: UpdateMessage): void {
    this.deps.events?.update?.(this, m);
  }

  protected recordNotification(direction: Direction, code: number, subcode: number, text: string): void {
    const name = notificationName(code, subcode);
    if (direction === 'sent') this.lastNotificationSent = name;
    else this.lastNotificationReceived = name;
    // Not logged again: the NOTIFICATION (or the error that sent it) has its own warn line.
    this.noteError(`NOTIFICATION ${direction}: ${text}`, false);
    this.deps.events?.notification?.(this, direction, code, subcode, text);
  }

  private ribContext(): RibOutContext {
    const at = { config: this.config, negotiated: this.negotiated, remoteASN: this.remoteASN };
    return ribContext({ ...at, localAddress: this.localAddress }, this.deps);
  }
}
