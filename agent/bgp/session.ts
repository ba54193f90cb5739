/**
 * SHELL. One BGP peer: a connection, the framer, the pure FSM and its timers, and the
 * Adj-RIB-Out. It executes the FSM's actions; everything it decides is in fsm/ and rib/.
 */
import type { Clock, Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { type AnyConnection, type Connection, dial } from './connection.ts';
import { collisionWinner, initialState, sendHoldTime, step } from './fsm/index.ts';
import type { FsmAction, FsmEvent, FsmState, TimerName } from './fsm/types.ts';
import { apply, diff } from './rib/diff.ts';
import { outboundAttributes } from './rib/outbound.ts';
import { packIPv4Announce, packIPv4Withdraw, packIPv6Announce, packIPv6Withdraw } from './rib/pack.ts';
import {
  AFI_IPV4,
  AFI_IPV6,
  type Capability,
  checkTypeLength,
  type DecodeContext,
  decodeMessage,
  describeNotification,
  encodeAttributes,
  encodeEndOfRib,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  Framer,
  MAX_EXTENDED_MESSAGE,
  MAX_MESSAGE,
  type Message,
  MessageType,
  type Negotiated,
  negotiate,
  notificationName,
  openFor,
  parseIPv6,
  parsePrefix,
  type UpdateMessage,
  validateOpen,
  WireError,
  type WirePrefix,
} from './wire/index.ts';

export interface SessionConfig {
  id: string;
  peerAddress: string;
  peerPort: number;
  localASN: number;
  /** Expected peer ASN; undefined accepts any (the collector). */
  peerASN?: number;
  localAddress?: string;
  holdTimeSeconds: number;
  keepAliveTimeSeconds: number;
  connectRetryTimeSeconds: number;
  eBGPMultihopTTL?: number;
  gtsm?: boolean;
  /** Accept a 127/8 NEXT_HOP (a collector peering over loopback); never for routers. */
  acceptLoopbackNextHop?: boolean;
  password?: string;
  gracefulRestart: { enabled: boolean; restartTimeSeconds: number };
  passive?: boolean;
  communities: string[];
  largeCommunities: string[];
  localPreference?: number;
  /** First reconnect delay after a failure, doubling up to connectRetryTime (default 1000 ms). */
  idleHoldBaseMs?: number;
}

export interface SessionDeps {
  routerId: string;
  hostname?: string;
  nextHopV4?: string;
  nextHopV6?: string;
  /** Announce IPv6 unicast capability (default true). */
  ipv6?: boolean;
  /** Set the GR R-bit: this process restarted and peers may hold our stale routes. */
  restarting?: boolean;
  clock: Clock;
  random: () => number;
  log: Logger;
  events?: SessionEvents;
}

export interface SessionEvents {
  established?(s: Session): void;
  down?(s: Session, reason: string): void;
  update?(s: Session, u: UpdateMessage): void;
  notification?(
    s: Session,
    direction: 'sent' | 'received',
    code: number,
    subcode: number,
    text: string,
  ): void;
  updatesSent?(s: Session, n: number): void;
  advertised?(s: Session): void;
  state?(s: Session, from: string, to: string): void;
}

const FAMILY_OF = (p: string) => (p.includes(':') ? 'ipv6' : 'ipv4');

export class Session {
  private fsm: FsmState;
  private conn: AnyConnection | undefined;
  private framer = new Framer(MAX_MESSAGE);
  private timers = new Map<TimerName, Timer>();
  private ctx: DecodeContext = { as4: false, maxLength: MAX_MESSAGE };
  negotiated: Negotiated | undefined;
  remoteId: string | undefined;
  remoteASN: number | undefined;
  remoteHostname: string | undefined;
  /** Adj-RIB-Out: prefixes the peer was told about (value: attribute-set key). */
  readonly adjRibOut = new Map<string, string>();
  private desired = new Set<string>();
  messagesIn = 0;
  messagesOut = 0;
  lastNotificationSent: string | undefined;
  lastNotificationReceived: string | undefined;
  private warned = new Set<string>();

  constructor(
    readonly config: SessionConfig,
    private readonly deps: SessionDeps,
  ) {
    this.fsm = initialState({
      holdTimeSeconds: config.holdTimeSeconds,
      keepAliveTimeSeconds: config.keepAliveTimeSeconds,
      connectRetryTimeSeconds: config.connectRetryTimeSeconds,
      passive: !!config.passive,
      ...(config.idleHoldBaseMs !== undefined ? { idleHoldBaseMs: config.idleHoldBaseMs } : {}),
    });
  }

  get state(): FsmState['name'] {
    return this.fsm.name;
  }
  get establishedAt(): number | undefined {
    return this.fsm.establishedAt;
  }
  get holdTime(): number | undefined {
    return this.fsm.negotiatedHoldTime;
  }
  get localAddress(): string | undefined {
    return this.conn?.localAddress;
  }
  get queuedBytes(): number {
    return this.conn?.queuedBytes ?? 0;
  }

  start(): void {
    this.dispatch({ type: this.config.passive ? 'ManualStart_with_PassiveTcpEstablishment' : 'ManualStart' });
  }

  /** Stops for good: with a NOTIFICATION (withdraw mode) or silently (keep mode). */
  stop(notify?: { code: number; subcode: number; data?: Uint8Array }): Promise<void> {
    this.pending?.conn.destroy();
    this.pending = undefined;
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

  /** An accepted TCP connection from this peer (listener). */
  accept(c: Connection): void {
    const s = this.fsm.name;
    const dialing = s === 'Connect' && !!this.conn;
    if (!dialing && (s === 'Connect' || s === 'Active' || (s === 'Idle' && !this.fsm.stopped))) {
      this.takeOver(c);
      return;
    }
    if ((dialing || s === 'OpenSent' || s === 'OpenConfirm') && !this.pending) {
      // RFC 4271 §6.8: hold the new connection until its OPEN names the peer's identifier.
      this.holdForCollision(c);
      return;
    }
    if (s === 'Established' && this.negotiated?.gracefulRestart) {
      // RFC 4724 §4.2: a restarted peer reconnects; the old connection is dead.
      this.dispatch({ type: 'TcpConnectionFails' });
      this.takeOver(c);
      return;
    }
    this.rejectCollision(c);
  }

  private pending: { conn: Connection; framer: Framer } | undefined;
  private closing: Promise<void>[] = [];

  /** Drops whatever connection we have and continues (Active -> OpenSent) on c. */
  private takeOver(c: Connection, framer?: Framer, rest: Uint8Array[] = []): void {
    if (this.conn && this.conn !== c) this.conn.destroy();
    this.stopTimer('IdleHoldTimer');
    this.fsm = { ...this.fsm, name: 'Active', stopped: false };
    this.adopt(c, framer);
    this.dispatch({ type: 'TcpConnectionConfirmed' });
    for (const m of rest) {
      if (this.conn !== c) return;
      this.onFramed(m);
    }
  }

  private rejectCollision(c: Connection): void {
    this.recordNotification('sent', 6, 7, notificationName(6, 7));
    c.write(encodeNotification({ code: 6, subcode: 7, data: new Uint8Array(0) }));
    c.end();
  }

  private holdForCollision(c: Connection): void {
    const framer = new Framer(MAX_MESSAGE);
    this.pending = { conn: c, framer };
    const drop = () => {
      if (this.pending?.conn === c) this.pending = undefined;
    };
    c.attach({
      connected: () => {},
      closed: drop,
      data: (d) => {
        let msgs: Uint8Array[];
        try {
          msgs = framer.push(d);
        } catch {
          drop();
          c.destroy();
          return;
        }
        if (!msgs.length) return;
        drop();
        let open: Message;
        try {
          open = decodeMessage(msgs[0]!, this.ctx);
        } catch {
          c.destroy();
          return;
        }
        if (open.type !== 'open') {
          c.destroy();
          return;
        }
        const s = this.fsm.name;
        if (s !== 'OpenSent' && s !== 'OpenConfirm' && !(s === 'Connect' && this.conn)) {
          // Our connection went away meanwhile: continue on the new one.
          this.takeOver(c, framer, msgs);
          return;
        }
        // Two connections both from the peer are no collision: the peer gave up the older one
        // (a silent or half-open socket must not lock the router out), so the newer one wins.
        if (this.conn && !this.conn.outgoing) {
          this.dispatch({ type: 'OpenCollisionDump' });
          this.takeOver(c, framer, msgs);
          return;
        }
        // Keep the connection initiated by the higher identifier.
        const ours = this.conn?.outgoing ? 'outgoing' : 'incoming';
        if (collisionWinner(this.deps.routerId, open.bgpId) === ours) {
          this.rejectCollision(c);
          return;
        }
        if (s === 'Connect')
          this.conn?.destroy(); // our attempt sent nothing yet
        else this.dispatch({ type: 'OpenCollisionDump' });
        this.takeOver(c, framer, msgs);
      },
    });
  }

  /** Desired prefixes for this peer; sends the difference when Established. */
  setDesired(prefixes: Iterable<string>): void {
    this.desired = new Set(prefixes);
    if (this.fsm.name === 'Established') this.sync(false);
  }

  private adopt(c: Connection, framer = new Framer(MAX_MESSAGE)): void {
    this.conn = c;
    this.framer = framer;
    c.attach({
      connected: () => {},
      data: (d) => this.onData(c, d),
      closed: (e) => this.onClosed(c, e),
    });
  }

  private dispatch(e: FsmEvent): void {
    const r = step(this.fsm, e, this.deps.clock.now(), this.deps.random);
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
        this.connect();
        break;
      case 'sendOpen':
        this.send(
          encodeOpen(
            openFor(
              this.config.localASN,
              this.config.holdTimeSeconds,
              this.deps.routerId,
              this.capabilities(),
            ),
          ),
        );
        break;
      case 'sendKeepalive':
        this.send(encodeKeepalive());
        break;
      case 'sendNotification': {
        const data = a.data ?? new Uint8Array(0);
        this.recordNotification(
          'sent',
          a.code,
          a.subcode,
          describeNotification({ code: a.code, subcode: a.subcode, data }),
        );
        this.send(encodeNotification({ code: a.code, subcode: a.subcode, data }));
        break;
      }
      case 'close':
        if (this.conn) this.closing.push(this.conn.closed);
        this.conn?.end();
        this.conn = undefined;
        this.negotiated = undefined;
        break;
      case 'startTimer':
        this.stopTimer(a.timer);
        this.timers.set(
          a.timer,
          this.deps.clock.setTimer(a.ms, () => {
            this.timers.delete(a.timer);
            if (a.timer === 'KeepaliveTimer' && this.sendHoldExpired()) {
              this.dispatch({ type: 'SendHoldTimer_Expires' });
              return;
            }
            this.dispatch({ type: `${a.timer}_Expires` } as FsmEvent);
          }),
        );
        break;
      case 'stopTimer':
        this.stopTimer(a.timer);
        break;
      case 'established':
        this.deps.log.info('bgp session established', {
          peer: this.config.id,
          holdTime: a.holdTime,
          capabilities: this.negotiated?.names,
        });
        this.deps.events?.established?.(this);
        this.sync(true);
        break;
      case 'down':
        this.deps.log.warn('bgp session down', { peer: this.config.id, reason: a.reason });
        this.adjRibOut.clear();
        this.deps.events?.advertised?.(this);
        this.deps.events?.down?.(this, a.reason);
        break;
    }
  }

  /** RFC 9687: the socket has refused data for longer than SendHoldTime (checked on each keepalive tick). */
  private sendHoldExpired(): boolean {
    const since = this.conn?.blockedSince;
    return since !== undefined && Date.now() - since > sendHoldTime(this.fsm.negotiatedHoldTime ?? 90);
  }

  private stopTimer(t: TimerName): void {
    this.timers.get(t)?.cancel();
    this.timers.delete(t);
  }

  private capabilities(): Capability[] {
    const caps: Capability[] = [{ code: 1, afi: AFI_IPV4, safi: 1 }];
    if (this.deps.ipv6 !== false) caps.push({ code: 1, afi: AFI_IPV6, safi: 1 });
    caps.push({ code: 2 }, { code: 65, asn: this.config.localASN }, { code: 6 });
    if (this.config.gracefulRestart.enabled) {
      caps.push({
        code: 64,
        restarting: !!this.deps.restarting,
        notification: false,
        restartTime: Math.min(4095, this.config.gracefulRestart.restartTimeSeconds),
        families: caps
          .filter((c): c is Extract<Capability, { code: 1 }> => c.code === 1)
          .map((c) => ({ afi: c.afi, safi: c.safi, forwarding: true })),
      });
    }
    if (this.deps.hostname) caps.push({ code: 73, hostname: this.deps.hostname, domain: '' });
    return caps;
  }

  private connect(): void {
    this.conn?.destroy();
    const ttl = this.config.gtsm
      ? 255
      : this.config.localASN !== this.config.peerASN && this.config.peerASN !== undefined
        ? (this.config.eBGPMultihopTTL ?? 1)
        : undefined;
    let c: AnyConnection;
    try {
      c = dial(
        {
          host: this.config.peerAddress,
          port: this.config.peerPort,
          ...(this.config.localAddress ? { localAddress: this.config.localAddress } : {}),
          ...(ttl !== undefined ? { ttl } : {}),
          ...(this.config.gtsm ? { minTtl: 254 } : {}),
          ...(this.config.password ? { password: this.config.password } : {}),
        },
        { connected: () => {}, data: () => {}, closed: () => {} },
        (msg) => this.warnOnce('ttl', msg),
      );
    } catch (e) {
      this.deps.log.warn('bgp connect failed', { peer: this.config.id, error: (e as Error).message });
      queueMicrotask(() => this.dispatch({ type: 'TcpConnectionFails' }));
      return;
    }
    this.conn = c;
    this.framer = new Framer(MAX_MESSAGE);
    c.attach({
      connected: () => {
        if (this.conn === c) this.dispatch({ type: 'Tcp_CR_Acked' });
      },
      data: (d) => this.onData(c, d),
      closed: (e) => this.onClosed(c, e),
    });
  }

  private onClosed(c: AnyConnection, e?: Error): void {
    if (this.conn !== c) return;
    this.conn = undefined;
    this.deps.log.debug('bgp connection closed', { peer: this.config.id, error: e?.message });
    this.dispatch({ type: 'TcpConnectionFails' });
  }

  private onData(c: AnyConnection, d: Uint8Array): void {
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
    let msg: Message;
    try {
      // RFC 6608: an OPEN after OpenSent is an FSM error whatever its body; only the header
      // checks (the framer's marker and length, and the OPEN minimum length) come first.
      if (m[18] === MessageType.OPEN && this.fsm.name !== 'OpenSent') {
        checkTypeLength(MessageType.OPEN, m.length);
        this.dispatch({ type: 'BGPOpen', holdTime: 0 });
        return;
      }
      msg = decodeMessage(m, this.ctx);
    } catch (e) {
      this.onWireError(e);
      return;
    }
    this.onMessage(msg);
  }

  private onWireError(e: unknown): void {
    if (!(e instanceof WireError)) throw e;
    this.deps.log.warn('bgp message error', { peer: this.config.id, error: e.message });
    const ev = { code: e.code, subcode: e.subcode, data: e.data };
    if (e.code === 1) this.dispatch({ type: 'BGPHeaderErr', ...ev });
    else if (e.code === 2) this.dispatch({ type: 'BGPOpenMsgErr', ...ev });
    else this.dispatch({ type: 'UpdateMsgErr', ...ev });
  }

  private onMessage(m: Message): void {
    switch (m.type) {
      case 'open': {
        const expectASN = this.config.peerASN;
        const err = validateOpen(m, {
          peerASN: expectASN ?? peerASNFrom(m),
          localASN: this.config.localASN,
          localBgpId: this.deps.routerId,
        });
        if (err) {
          this.onWireError(err);
          return;
        }
        this.remoteId = m.bgpId;
        this.remoteASN = peerASNFrom(m);
        const fq = m.capabilities.find((c) => c.code === 73 && !('unknown' in c)) as
          | { hostname: string }
          | undefined;
        this.remoteHostname = fq?.hostname;
        this.negotiated = negotiate(this.capabilities(), m.capabilities);
        this.ctx = {
          as4: this.negotiated.as4,
          maxLength: this.negotiated.extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE,
          ...(this.config.acceptLoopbackNextHop ? { loopbackNextHop: true } : {}),
        };
        this.framer.maxLength = this.ctx.maxLength;
        this.dispatch({ type: 'BGPOpen', holdTime: m.holdTime });
        return;
      }
      case 'keepalive':
        this.dispatch({ type: 'KeepAliveMsg' });
        return;
      case 'update':
        if (m.error)
          this.deps.log.debug('bgp update treated as withdraw', {
            peer: this.config.id,
            error: m.error.message,
          });
        this.dispatch({ type: 'UpdateMsg' });
        if (this.fsm.name === 'Established') this.deps.events?.update?.(this, m);
        return;
      case 'notification': {
        const text = describeNotification(m);
        this.recordNotification('received', m.code, m.subcode, text);
        this.deps.log.warn('bgp notification received', { peer: this.config.id, notification: text });
        this.dispatch({ type: m.code === 2 && m.subcode === 1 ? 'NotifMsgVerErr' : 'NotifMsg' });
        return;
      }
      case 'route-refresh': {
        this.dispatch({ type: 'RouteRefreshMsg' });
        const fam =
          m.afi === AFI_IPV4 && m.safi === 1
            ? 'ipv4'
            : m.afi === AFI_IPV6 && m.safi === 1
              ? 'ipv6'
              : undefined;
        // RFC 2918 §5: ignore a refresh for a family that was not negotiated; RFC 7313 §5:
        // BoRR/EoRR only frame the peer's own re-send, and other subtypes are ignored.
        if (
          this.fsm.name === 'Established' &&
          m.subtype === 0 &&
          fam &&
          this.negotiated?.families.includes(fam)
        )
          this.resend(fam);
        return;
      }
    }
  }

  private recordNotification(
    direction: 'sent' | 'received',
    code: number,
    subcode: number,
    text: string,
  ): void {
    const name = notificationName(code, subcode);
    if (direction === 'sent') this.lastNotificationSent = name;
    else this.lastNotificationReceived = name;
    this.deps.events?.notification?.(this, direction, code, subcode, text);
  }

  private send(b: Uint8Array): void {
    if (!this.conn) return;
    this.messagesOut++;
    this.conn.write(b);
  }

  private nextHops(): { v4?: string; v6?: Uint8Array } {
    const local = this.conn?.localAddress?.replace(/^::ffff:/, '');
    const v4 = this.deps.nextHopV4 ?? (local && !local.includes(':') ? local : undefined);
    const v6text =
      this.deps.nextHopV6 ?? (local?.includes(':') && !local.startsWith('fe80') ? local : undefined);
    const v6 = v6text ? parseIPv6(v6text) : undefined;
    return { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) };
  }

  /** The prefixes this peer can be sent: negotiated family and a usable next hop. */
  private sendable(): Map<string, string> {
    const nh = this.nextHops();
    const fams = this.negotiated?.families ?? [];
    const out = new Map<string, string>();
    for (const p of this.desired) {
      const f = FAMILY_OF(p);
      if (!fams.includes(f)) continue;
      if (f === 'ipv4' && !nh.v4) {
        this.warnOnce('no-v4-nexthop', 'no IPv4 next hop for this session; IPv4 routes not announced');
        continue;
      }
      if (f === 'ipv6' && !nh.v6) {
        this.warnOnce('no-v6-nexthop', 'no global IPv6 next hop (set nextHopV6); IPv6 routes not announced');
        continue;
      }
      out.set(p, f);
    }
    return out;
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.deps.log.warn(msg, { peer: this.config.id });
  }

  /** Sends the Adj-RIB-Out difference; after (re)establishment the full table, then End-of-RIB. */
  private sync(initial: boolean): void {
    const want = this.sendable();
    if (initial) this.adjRibOut.clear();
    const d = diff(this.adjRibOut, want);
    const byFam = (list: string[], f: string) => list.filter((p) => FAMILY_OF(p) === f);
    let n = 0;
    for (const f of ['ipv4', 'ipv6'] as const) {
      const w = byFam(d.withdraw, f);
      const a = byFam(d.announce, f);
      if (w.length) n += this.sendWithdraw(f, w);
      if (a.length) n += this.sendAnnounce(f, a);
    }
    apply(this.adjRibOut, d, want);
    if (initial) for (const f of this.negotiated?.families ?? []) this.send(encodeEndOfRib(f));
    if (n) this.deps.events?.updatesSent?.(this, n);
    this.deps.events?.advertised?.(this);
  }

  private resend(f: 'ipv4' | 'ipv6'): void {
    const list = [...this.adjRibOut.keys()].filter((p) => FAMILY_OF(p) === f);
    const n = list.length ? this.sendAnnounce(f, list) : 0;
    if (n) this.deps.events?.updatesSent?.(this, n);
  }

  private maxLength(): number {
    return this.negotiated?.extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE;
  }

  private sendAnnounce(f: 'ipv4' | 'ipv6', prefixes: string[]): number {
    const nh = this.nextHops();
    const attrs = outboundAttributes({
      localASN: this.config.localASN,
      peerASN: this.remoteASN ?? this.config.peerASN ?? this.config.localASN,
      as4: !!this.negotiated?.as4,
      ...(f === 'ipv4' && nh.v4 ? { nextHopV4: nh.v4 } : {}),
      communities: this.config.communities,
      largeCommunities: this.config.largeCommunities,
      ...(this.config.localPreference !== undefined ? { localPreference: this.config.localPreference } : {}),
    });
    const block = encodeAttributes(attrs, { as4: !!this.negotiated?.as4 });
    const wire = toWire(prefixes);
    const msgs =
      f === 'ipv4'
        ? packIPv4Announce(block, wire, this.maxLength())
        : packIPv6Announce(block, nh.v6!, wire, this.maxLength());
    for (const m of msgs) this.send(m);
    return msgs.length;
  }

  private sendWithdraw(f: 'ipv4' | 'ipv6', prefixes: string[]): number {
    const wire = toWire(prefixes);
    const msgs =
      f === 'ipv4' ? packIPv4Withdraw(wire, this.maxLength()) : packIPv6Withdraw(wire, this.maxLength());
    for (const m of msgs) this.send(m);
    return msgs.length;
  }
}

function toWire(prefixes: string[]): WirePrefix[] {
  const out: WirePrefix[] = [];
  for (const p of prefixes) {
    const w = parsePrefix(p);
    if (w) out.push(w);
  }
  return out;
}

function peerASNFrom(m: { myAS: number; capabilities: Capability[] }): number {
  const c = m.capabilities.find((x) => x.code === 65 && !('unknown' in x)) as { asn: number } | undefined;
  return c ? c.asn : m.myAS;
}
