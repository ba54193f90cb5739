/**
 * SHELL. The BGP speaker: owns one Session per configured peer, an optional listener that
 * accepts only configured peers, the desired advertisements, status and metrics.
 * setPeers and setAdvertisements are idempotent.
 */
import net from 'node:net';
import { type Clock, monotonicNow } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Counter, Gauge, Registry } from '../lib/metrics.ts';
import { PrefixList } from '../net/prefix-list.ts';
import { Connection } from './connection.ts';
import type { LivenessGate } from './liveness-gate.ts';
import type { PeerConfig, SessionConfig } from './peer.ts';
import type { RouteAttributes } from './rib/route-attributes.ts';
import { Session } from './session.ts';
import { closeFd, rawListen, setMd5Key, setTtl } from './socket-ffi.ts';
import type { Dial } from './transport.ts';
import { CeaseSubcode, ErrorCode, notificationCodeLabel, parseAddress, shutdownData } from './wire/index.ts';

export type { PeerConfig } from './peer.ts';

export interface SpeakerOptions {
  routerId: string;
  hostname?: string;
  nextHopV4?: string;
  nextHopV6?: string;
  /** A family's next hop when neither pinned nor the session's local address (the host's own). */
  fallbackNextHop?: (family: 4 | 6, localAddress: string | undefined) => string | undefined;
  listen?: { address: string; port: number };
  clock: Clock;
  random: () => number;
  log: Logger;
  metrics: Registry;
  /** Set the graceful-restart R bit in OPENs (the agent restarted). */
  restarting?: boolean;
  /** Shutdown communication sent with Cease on stop('withdraw'). */
  shutdownMessage?: string;
  /** Opens outgoing connections (default: TCP). */
  dial?: Dial;
  /** Path liveness (BFD) per peer address: gates reconnects (liveness-gate.ts). */
  gate?: LivenessGate;
  /** TEST ONLY: a SendHoldTime other than RFC 9687's (a real-time test of the send-hold timer). */
  sendHoldTimeMs?: number;
}

export interface PeerStatus {
  id: string;
  address: string;
  port: number;
  localASN: number;
  peerASN: number;
  state: 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
  uptimeSeconds: number;
  advertised: number;
  holdTimeSeconds?: number;
  capabilities: string[];
  messagesIn: number;
  messagesOut: number;
  lastNotificationSent?: string;
  lastNotificationReceived?: string;
  /** The connect is held until BFD is Up (bounded wait). */
  waitingForBfd?: boolean;
  /** The peer never answered BFD within the bounded wait: BGP runs without it. */
  bfdProblem?: string;
  /** Why the session is not Established, and since when (ISO time); absent when Established. */
  lastError?: { message: string; at: string };
  /** Prefixes this peer should get but cannot, for want of a next hop of their family. */
  unannounceable?: string[];
  /** Prefixes whose change waits for the peer's socket (absent when none). */
  outputPending?: number;
  /** Times the RFC 9687 send-hold timer ended this session (absent when never). */
  sendHoldExpiries?: number;
}

interface Metrics {
  up: Gauge;
  advertised: Gauge;
  updates: Counter;
  notifications: Counter;
  flaps: Counter;
  sendHoldExpired: Counter;
}

function sameAddress(a: string, b: string): boolean {
  const x = parseAddress(a.replace(/^::ffff:/, ''));
  const y = parseAddress(b.replace(/^::ffff:/, ''));
  return !!x && !!y && x.afi === y.afi && x.bytes.every((v, i) => v === y.bytes[i]);
}

export class Speaker {
  private sessions = new Map<string, { config: PeerConfig; key: string; session: Session }>();
  private desired = new Map<string, PrefixList>();
  /** peer id -> prefix -> the route's own attributes (advertisements, Service annotations). */
  private routeAttributes: ReadonlyMap<string, ReadonlyMap<string, RouteAttributes>> = new Map();
  private server: net.Server | undefined;
  private serverFd: number | undefined;
  private md5Keys = new Map<string, string>();
  private readonly m: Metrics;
  private stopped = false;

  constructor(private readonly opts: SpeakerOptions) {
    const r = opts.metrics;
    this.m = {
      up: r.gauge('edgelb_bgp_session_up', 'BGP session Established (1) or not (0).', ['peer']),
      flaps: r.counter('edgelb_bgp_session_flaps_total', 'Established sessions that went down.', ['peer']),
      advertised: r.gauge('edgelb_bgp_advertised_prefixes', 'Prefixes in the Adj-RIB-Out of the peer.', [
        'peer',
      ]),
      updates: r.counter('edgelb_bgp_updates_sent_total', 'UPDATE messages sent.', ['peer']),
      notifications: r.counter('edgelb_bgp_notifications_total', 'NOTIFICATION messages sent and received.', [
        'peer',
        'direction',
        'code',
      ]),
      sendHoldExpired: r.counter(
        'edgelb_bgp_send_hold_expired_total',
        'Sessions ended by the RFC 9687 send-hold timer (the peer stopped reading).',
        ['peer'],
      ),
    };
    if (opts.listen) this.startListener(opts.listen);
  }

  setPeers(peers: PeerConfig[]): void {
    if (this.stopped) return;
    const next = new Map(peers.map((p) => [p.id, p]));
    for (const [id, entry] of this.sessions) {
      const p = next.get(id);
      if (p && JSON.stringify(p) === entry.key) continue;
      this.m.up.set({ peer: id }, 0); // a stop we asked for is not a flap
      entry.session.stop({
        code: ErrorCode.Cease,
        subcode: p ? CeaseSubcode.OtherConfigurationChange : CeaseSubcode.PeerDeconfigured,
      });
      this.sessions.delete(id);
      if (!p) {
        this.m.up.remove({ peer: id });
        this.m.flaps.remove({ peer: id });
        this.m.sendHoldExpired.remove({ peer: id });
        this.m.advertised.remove({ peer: id });
      }
    }
    for (const p of peers) {
      if (this.sessions.has(p.id)) continue;
      if (p.passive && !this.opts.listen)
        this.opts.log.warn('bgp: passive peer but no listener configured; it can never connect', {
          peer: p.id,
        });
      const session = this.newSession(p);
      this.sessions.set(p.id, { config: p, key: JSON.stringify(p), session });
      this.m.up.set({ peer: p.id }, 0);
      this.m.flaps.inc({ peer: p.id }, 0);
      this.m.advertised.set({ peer: p.id }, 0);
      this.m.updates.inc({ peer: p.id }, 0);
      this.m.sendHoldExpired.inc({ peer: p.id }, 0);
      session.setDesired(this.desired.get(p.id) ?? PrefixList.EMPTY, this.routeAttributes.get(p.id));
      session.start();
    }
    this.syncListenerKeys();
  }

  /**
   * peer id -> prefixes; each is parsed once here and travels typed to the wire. `attributes`:
   * per peer, the prefixes that carry attributes of their own on top of the neighbor's.
   */
  setAdvertisements(
    desired: Map<string, string[]>,
    attributes: ReadonlyMap<string, ReadonlyMap<string, RouteAttributes>> = new Map(),
  ): void {
    const clean = new Map<string, PrefixList>();
    for (const [id, list] of desired)
      clean.set(
        id,
        PrefixList.fromTexts(list, (prefix) =>
          this.opts.log.warn('bgp: ignoring invalid prefix', { peer: id, prefix }),
        ),
      );
    this.desired = clean;
    this.routeAttributes = attributes;
    for (const [id, e] of this.sessions)
      e.session.setDesired(clean.get(id) ?? PrefixList.EMPTY, attributes.get(id));
  }

  status(): PeerStatus[] {
    return [...this.sessions.values()].map(({ config: p, session: s }) => {
      const st: PeerStatus = {
        id: p.id,
        address: p.peerAddress,
        port: p.peerPort,
        localASN: p.localASN,
        peerASN: p.peerASN,
        state: s.state,
        // monotonic: a step of the wall clock neither resets nor inflates it
        uptimeSeconds: Math.floor(s.establishedForMs / 1000),
        advertised: s.adjRibOut.size,
        capabilities: s.negotiated?.names ?? [],
        messagesIn: s.messagesIn,
        messagesOut: s.messagesOut,
      };
      if (s.holdTime !== undefined) st.holdTimeSeconds = s.holdTime;
      if (s.lastNotificationSent) st.lastNotificationSent = s.lastNotificationSent;
      if (s.lastNotificationReceived) st.lastNotificationReceived = s.lastNotificationReceived;
      if (s.waitingForLiveness) st.waitingForBfd = true;
      if (s.livenessProblem) st.bfdProblem = s.livenessProblem;
      const err = s.lastError;
      if (err) st.lastError = { message: err.message, at: new Date(err.at).toISOString() };
      if (s.unannounceable.length) st.unannounceable = [...s.unannounceable];
      if (s.pendingChanges) st.outputPending = s.pendingChanges;
      if (s.sendHoldExpiries) st.sendHoldExpiries = s.sendHoldExpiries;
      return st;
    });
  }

  advertised(): string[] {
    const all = new Set<string>();
    for (const { session } of this.sessions.values())
      if (session.state === 'Established') for (const p of session.adjRibOut.keys()) all.add(p);
    return [...all].sort();
  }

  /**
   * Established sessions whose peer has not acknowledged everything sent (bytes undefined: cannot
   * be told). Empty: every UPDATE sent so far, withdrawals included, reached every peer's TCP.
   */
  unacknowledged(): { peer: string; bytes: number | undefined }[] {
    const out: { peer: string; bytes: number | undefined }[] = [];
    for (const [id, { session }] of this.sessions) {
      const bytes = session.sendQueueBytes();
      if (bytes !== 0) out.push({ peer: id, bytes });
    }
    return out;
  }

  /** BFD says the path to this address is Up: sessions held by the gate connect now. */
  livenessUp(address: string): void {
    for (const { config, session } of this.sessions.values())
      if (sameAddress(config.peerAddress, address)) session.livenessUp();
  }

  /** BFD says the path to this address failed: its sessions go down with Cease 10 "BFD Down". */
  livenessDown(address: string, reason: string): void {
    for (const { config, session } of this.sessions.values())
      if (sameAddress(config.peerAddress, address)) session.livenessDown(reason);
  }

  /** The session of a peer (tests, diagnostics). */
  session(id: string): Session | undefined {
    return this.sessions.get(id)?.session;
  }

  async stop(mode: 'withdraw' | 'keep'): Promise<void> {
    this.stopped = true;
    const closing: Promise<void>[] = [];
    for (const { session } of this.sessions.values()) {
      if (mode === 'withdraw')
        closing.push(
          session.stop({
            code: ErrorCode.Cease,
            subcode: CeaseSubcode.AdministrativeShutdown,
            data: shutdownData(this.opts.shutdownMessage ?? 'edgelb stopping'),
          }),
        );
      else closing.push(session.stop());
    }
    const server = this.server;
    this.server = undefined;
    if (server) closing.push(new Promise<void>((resolve) => server.close(() => resolve())));
    // The listening fd belongs to the server now: server.close() closes it.
    this.serverFd = undefined;
    // Wait until the NOTIFICATIONs are delivered and the sockets closed (bounded: 1 s).
    await new Promise<void>((resolve) => {
      const t = this.opts.clock.setTimer(1000, resolve);
      Promise.all(closing).then(() => {
        t.cancel();
        resolve();
      });
    });
  }

  private newSession(p: PeerConfig): Session {
    const cfg: SessionConfig = { ...p };
    return new Session(cfg, {
      routerId: this.opts.routerId,
      ...(this.opts.hostname ? { hostname: this.opts.hostname } : {}),
      ...(this.opts.nextHopV4 ? { nextHopV4: this.opts.nextHopV4 } : {}),
      ...(this.opts.nextHopV6 ? { nextHopV6: this.opts.nextHopV6 } : {}),
      ...(this.opts.fallbackNextHop ? { fallbackNextHop: this.opts.fallbackNextHop } : {}),
      ...(this.opts.restarting ? { restarting: true } : {}),
      ...(this.opts.dial ? { dial: this.opts.dial } : {}),
      ...(this.opts.sendHoldTimeMs !== undefined ? { sendHoldTimeMs: this.opts.sendHoldTimeMs } : {}),
      ...(this.opts.gate ? this.livenessDeps(this.opts.gate, p.peerAddress) : {}),
      clock: this.opts.clock,
      random: this.opts.random,
      log: this.opts.log.child({ peer: p.id }),
      events: {
        established: () => this.m.up.set({ peer: p.id }, 1),
        down: () => {
          if (this.m.up.get({ peer: p.id }) === 1) this.m.flaps.inc({ peer: p.id });
          this.m.up.set({ peer: p.id }, 0);
        },
        advertised: (s) => this.m.advertised.set({ peer: p.id }, s.adjRibOut.size),
        updatesSent: (_s, n) => this.m.updates.inc({ peer: p.id }, n),
        notification: (_s, direction, code) =>
          this.m.notifications.inc({ peer: p.id, direction, code: notificationCodeLabel(code) }),
        sendHoldExpired: () => this.m.sendHoldExpired.inc({ peer: p.id }),
      },
    });
  }

  private livenessDeps(gate: LivenessGate, address: string) {
    return {
      liveness: () => gate.state(address),
      ...(gate.maxWaitMs !== undefined ? { livenessWaitMs: gate.maxWaitMs } : {}),
    };
  }

  private startListener(l: { address: string; port: number }): void {
    const server = net.createServer((socket) => this.onAccept(socket));
    server.on('error', (e) => this.opts.log.error('bgp listener error', { error: e.message }));
    this.server = server;
    // A raw fd lets us set TCP-MD5 keys on the listener (the kernel checks the SYN).
    let fd: number | undefined;
    try {
      fd = rawListen({ family: l.address.includes(':') ? 6 : 4, local: l });
      server.listen({ fd } as net.ListenOptions);
      this.serverFd = fd;
    } catch (e) {
      this.opts.log.warn('bgp listener without TCP-MD5/GTSM support', { error: (e as Error).message });
      if (fd !== undefined) closeFd(fd);
      this.serverFd = undefined;
      server.listen(l.port, l.address);
    }
  }

  private syncListenerKeys(): void {
    if (this.serverFd === undefined) return;
    const want = new Map<string, string>();
    for (const { config } of this.sessions.values())
      if (config.password) want.set(config.peerAddress, config.password);
    for (const [addr] of this.md5Keys)
      if (!want.has(addr)) {
        try {
          setMd5Key(this.serverFd, addr, '');
        } catch {}
      }
    for (const [addr, key] of want) {
      if (this.md5Keys.get(addr) === key) continue;
      try {
        setMd5Key(this.serverFd, addr, key);
      } catch (e) {
        this.opts.log.error('bgp: cannot set TCP-MD5 key on listener', {
          peer: addr,
          error: (e as Error).message,
        });
      }
    }
    this.md5Keys = want;
    // GTSM on the listener (the kernel answers the SYN before accept): TTL 255 when any
    // peer uses GTSM, and the minimum-TTL check only when every peer does.
    const all = [...this.sessions.values()].map((e) => e.config);
    const ttl = all.some((p) => p.gtsm) ? 255 : 64;
    const minTtl = all.length > 0 && all.every((p) => p.gtsm) ? 254 : 0;
    if (ttl !== this.listenerTtl[0] || minTtl !== this.listenerTtl[1]) {
      try {
        setTtl(this.serverFd, this.opts.listen?.address.includes(':') ? 6 : 4, ttl, minTtl);
        this.listenerTtl = [ttl, minTtl];
      } catch (e) {
        this.opts.log.error('bgp: cannot set GTSM on listener', { error: (e as Error).message });
      }
    }
  }
  private listenerTtl: [number, number] = [64, 0];
  private readonly refusedLogged = new Map<string, number>();

  private onAccept(socket: net.Socket): void {
    const remote = socket.remoteAddress ?? '';
    const entry = [...this.sessions.values()].find((e) => sameAddress(e.config.peerAddress, remote));
    if (!entry || this.stopped) {
      socket.destroy();
      // One log line per address per minute: a flood must not become a log flood.
      const now = monotonicNow(this.opts.clock);
      if (this.refusedLogged.size > 1024) this.refusedLogged.clear();
      const last = this.refusedLogged.get(remote);
      if (last === undefined || now - last >= 60_000) {
        this.refusedLogged.set(remote, now);
        this.opts.log.info('bgp: refused connection from unconfigured address', { remote });
      }
      return;
    }
    entry.session.accept(new Connection(socket, false, this.opts.clock));
  }
}
