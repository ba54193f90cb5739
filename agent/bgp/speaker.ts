/**
 * SHELL. The BGP speaker: owns one Session per configured peer, an optional listener that
 * accepts only configured peers (peer-listener.ts), the desired advertisements, status
 * (peer-status.ts) and metrics (speaker-metrics.ts). setPeers and setAdvertisements are idempotent.
 */
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Registry } from '../lib/metrics.ts';
import { PrefixList } from '../net/prefix-list.ts';
import type { LivenessGate } from './liveness-gate.ts';
import type { PeerConfig, SessionConfig } from './peer.ts';
import { PeerListener } from './peer-listener.ts';
import { type PeerStatus, peerStatus } from './peer-status.ts';
import type { RouteAttributes } from './rib/route-attributes.ts';
import { Session } from './session.ts';
import {
  addPeerMetrics,
  metricEvents,
  removePeerMetrics,
  type SpeakerMetrics,
  speakerMetrics,
} from './speaker-metrics.ts';
import type { Dial } from './transport.ts';
import { CeaseSubcode, ErrorCode, parseAddress, shutdownData } from './wire/index.ts';

export type { PeerConfig } from './peer.ts';
export type { PeerStatus } from './peer-status.ts';

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
  private listener: PeerListener | undefined;
  private readonly m: SpeakerMetrics;
  private stopped = false;

  constructor(private readonly opts: SpeakerOptions) {
    this.m = speakerMetrics(opts.metrics);
    if (opts.listen)
      this.listener = new PeerListener(opts.listen, {
        clock: opts.clock,
        log: opts.log,
        sessionFor: (remote) => {
          const entry = [...this.sessions.values()].find((e) => sameAddress(e.config.peerAddress, remote));
          return !entry || this.stopped ? undefined : entry.session;
        },
      });
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
      if (!p) removePeerMetrics(this.m, id);
    }
    for (const p of peers) {
      if (this.sessions.has(p.id)) continue;
      if (p.passive && !this.opts.listen)
        this.opts.log.warn('bgp: passive peer but no listener configured; it can never connect', {
          peer: p.id,
        });
      const session = this.newSession(p);
      this.sessions.set(p.id, { config: p, key: JSON.stringify(p), session });
      addPeerMetrics(this.m, p.id);
      session.setDesired(this.desired.get(p.id) ?? PrefixList.EMPTY, this.routeAttributes.get(p.id));
      session.start();
    }
    this.listener?.syncKeys([...this.sessions.values()].map((e) => e.config));
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
    return [...this.sessions.values()].map(({ config, session }) => peerStatus(config, session));
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
    const listening = this.listener?.close();
    if (listening) closing.push(listening);
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
      events: metricEvents(this.m, p.id),
    });
  }

  private livenessDeps(gate: LivenessGate, address: string) {
    return {
      liveness: () => gate.state(address),
      ...(gate.maxWaitMs !== undefined ? { livenessWaitMs: gate.maxWaitMs } : {}),
    };
  }
}
