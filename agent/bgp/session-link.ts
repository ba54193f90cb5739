/**
 * SHELL. One session's link to its peer: the connection (dialled when BFD lets it, adopted from
 * the listener or a collision, closed) and what arrives on it: bytes -> framer -> decoded
 * messages -> FSM events, the OPEN's results kept. session.ts drives the FSM over it.
 */
import { monotonicNow } from '../lib/clock.ts';
import { dialPeer, tcpDial } from './connection.ts';
import type { FsmEvent } from './fsm/types.ts';
import { notificationEvent, openOutOfState, openReceived, refreshFamily, wireErrorEvent } from './inbound.ts';
import { dialOptions } from './peer.ts';
import { SessionState } from './session-state.ts';
import type { BgpConnection } from './transport.ts';
import {
  decodeMessage,
  describeNotification,
  Framer,
  MAX_MESSAGE,
  type Message,
  type OpenMessage,
  type UpdateMessage,
  WireError,
} from './wire/index.ts';

export type Direction = 'sent' | 'received';

export abstract class SessionLink extends SessionState {
  /** Set while the session is torn down by the send-hold timer: nothing waits for the peer. */
  protected abortive = false;

  /** Feeds an event to the FSM and executes its actions (session.ts). */
  protected abstract dispatch(e: FsmEvent): void;
  /** The connection went away: stop what runs on it (send-hold timer, output). */
  protected abstract connectionLost(): void;
  /** The socket may take more (drained), or a ROUTE-REFRESH queued a re-send: encode what fits. */
  protected abstract pumpOutput(): void;
  /** An UPDATE arrived on the Established session. */
  protected abstract updateReceived(m: UpdateMessage): void;
  /** A NOTIFICATION sent or received: kept for /status and told to the events. */
  protected abstract recordNotification(
    direction: Direction,
    code: number,
    subcode: number,
    text: string,
  ): void;

  /** Drops whatever connection we have and continues (Active -> OpenSent) on c. */
  protected takeOver(c: BgpConnection, framer?: Framer, rest: Uint8Array[] = []): void {
    if (this.conn && this.conn !== c) this.conn.destroy();
    this.timers.stop('IdleHoldTimer');
    this.fsm = { ...this.fsm, name: 'Active', stopped: false };
    this.adopt(c, framer);
    this.dispatch({ type: 'TcpConnectionConfirmed' });
    for (const m of rest) {
      if (this.conn !== c) return;
      this.onFramed(m);
    }
  }

  private adopt(c: BgpConnection, framer = new Framer(MAX_MESSAGE)): void {
    this.conn = c;
    this.framer = framer;
    c.attach({
      connected: () => {},
      data: (d) => this.onData(c, d),
      closed: (e) => this.onClosed(c, e),
      drain: () => {
        if (this.conn === c) this.pumpOutput();
      },
    });
  }

  /** Connects now, or holds the connect until BFD is Up or the bounded wait runs out. */
  protected gatedConnect(): void {
    this.hold.request(
      () => this.connect(),
      () => this.fsm.name === 'Connect',
    );
  }

  private connect(): void {
    this.conn?.destroy();
    const c = this.config;
    const conn = dialPeer(this.deps.dial ?? tcpDial(this.deps.clock), dialOptions(c), (m) =>
      this.warnOnce('ttl', m),
    );
    if (conn instanceof Error) {
      this.noteError(`connect failed: ${conn.message}`);
      queueMicrotask(() => this.dispatch({ type: 'TcpConnectionFails' }));
      return;
    }
    this.conn = conn;
    this.framer = new Framer(MAX_MESSAGE);
    conn.attach({
      connected: () => {
        if (this.conn === conn) this.dispatch({ type: 'Tcp_CR_Acked' });
      },
      data: (d) => this.onData(conn, d),
      closed: (e) => this.onClosed(conn, e),
      drain: () => {
        if (this.conn === conn) this.pumpOutput();
      },
    });
  }

  private onClosed(c: BgpConnection, e?: Error): void {
    if (this.conn !== c) return;
    this.conn = undefined;
    this.connectionLost();
    this.deps.log.debug('bgp connection closed', { peer: this.config.id, error: e?.message });
    if (e) this.noteError(e.message.startsWith('connect') ? e.message : `connection failed: ${e.message}`);
    else if (this.fsm.name !== 'Established')
      this.noteError('connection closed by the peer before Established');
    this.dispatch({ type: 'TcpConnectionFails' });
  }

  private onData(c: BgpConnection, d: Uint8Array): void {
    if (this.conn !== c) return;
    let msgs: Uint8Array[];
    try {
      msgs = this.framer.push(d);
    } catch (e) {
      this.onWireError(e);
      return;
    }
    for (const m of msgs) {
      if (this.conn !== c) return;
      this.onFramed(m);
    }
    if (this.conn === c && this.framer.failed) this.onWireError(this.framer.failed);
  }

  private onFramed(m: Uint8Array): void {
    this.messagesIn++;
    let next: { early: FsmEvent } | { msg: Message };
    try {
      const early = openOutOfState(m, this.fsm.name);
      next = early ? { early } : { msg: decodeMessage(m, this.ctx) };
    } catch (e) {
      this.onWireError(e);
      return;
    }
    if ('early' in next) this.dispatch(next.early);
    else this.onMessage(next.msg);
  }

  private onWireError(e: unknown): void {
    if (!(e instanceof WireError)) throw e;
    this.deps.log.warn('bgp message error', { peer: this.config.id, error: e.message });
    this.dispatch(wireErrorEvent(e));
  }

  private onMessage(m: Message): void {
    switch (m.type) {
      case 'open':
        this.onOpen(m);
        return;
      case 'keepalive':
        this.dispatch({ type: 'KeepAliveMsg' });
        return;
      case 'update':
        if (m.error) this.deps.log.debug('bgp update treated as withdraw', { error: m.error.message });
        this.dispatch({ type: 'UpdateMsg' });
        if (this.fsm.name === 'Established') this.updateReceived(m);
        return;
      case 'notification': {
        const text = describeNotification(m);
        this.recordNotification('received', m.code, m.subcode, text);
        this.deps.log.warn('bgp notification received', { peer: this.config.id, notification: text });
        this.dispatch(notificationEvent(m));
        return;
      }
      case 'route-refresh': {
        this.dispatch({ type: 'RouteRefreshMsg' });
        const fam = this.fsm.name === 'Established' ? refreshFamily(m, this.negotiated) : undefined;
        if (fam) {
          this.rib.requestRefresh(fam);
          this.pumpOutput();
        }
        return;
      }
    }
  }

  private onOpen(m: OpenMessage): void {
    const r = openReceived(m, this.config, this.deps.routerId, this.caps);
    if (r instanceof WireError) {
      this.onWireError(r);
      return;
    }
    this.remoteId = r.remoteId;
    this.remoteASN = r.remoteASN;
    this.remoteHostname = r.remoteHostname;
    this.negotiated = r.negotiated;
    this.ctx = r.ctx;
    this.framer.maxLength = r.ctx.maxLength;
    this.dispatch({ type: 'BGPOpen', holdTime: m.holdTime });
  }

  /** Keeps why the peer is not Established; a change is logged at warn (rate-limited, last-error.ts). */
  protected noteError(message: string, log = true): void {
    const change = this.lastErr.record(message, this.deps.clock.now(), monotonicNow(this.deps.clock));
    if (change && log)
      this.deps.log.warn('bgp peer not established', { peer: this.config.id, reason: message });
  }

  protected send(b: Uint8Array): void {
    if (!this.conn) return;
    // Torn down by the send-hold timer: the NOTIFICATION only if the socket takes it now.
    if (this.abortive && !this.conn.canWrite) return;
    this.messagesOut++;
    this.conn.write(b);
  }
}
