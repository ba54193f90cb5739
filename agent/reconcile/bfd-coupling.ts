/**
 * SHELL. Wires BFD (agent/bfd) to the BGP speaker (agent/bgp), which never import each other:
 * runs one BFD session per planned neighbor that names an existing BFDProfile, answers the
 * speaker's connect gate (bgp/liveness-gate.ts), and turns BFD events into BGP actions
 * (RFC 5882 §4.3, RFC 9384):
 *
 * - `down` (Up -> Down, a path failure): the BGP session goes down at once with Cease 10 "BFD Down",
 *   and does not connect again until BFD is Up (or the bounded wait runs out).
 * - `up`: a reconnect held by the gate goes now.
 * - Before a session's BFD has ever been Up, BGP is not held: FRR's bgpd asks bfdd for a
 *   multihop session only once BGP is Established, and a router without BFD configured must
 *   not delay the first session. A BFD session not Up `maxWaitMs` after it was added is a
 *   problem in /status instead.
 * - `adminDown` from the peer: logged only; BGP stays up (RFC 5882 §3.2).
 *
 * Also the BFD part of /status and the edgelb_bfd_* metrics.
 */
import type { BfdManager } from '../bfd/manager.ts';
import { DEFAULT_LIVENESS_WAIT_MS, type LivenessGate, type LivenessState } from '../bgp/liveness-gate.ts';
import type { BfdDoc } from '../http/status-doc.ts';
import { type Clock, monotonicNow } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Registry, Sample } from '../lib/metrics.ts';
import type { BfdPort } from './announcer.ts';
import type { BfdPlan } from './plan/bfd-profiles.ts';

/** What the coupling tells the speaker. */
export interface LivenessSink {
  livenessUp(address: string): void;
  livenessDown(address: string, reason: string): void;
}

/** peers[].bfd in /status, every field present (the document's type keeps older agents' gaps). */
export type BfdPeerStatus = Required<BfdDoc>;

export interface BfdCouplingOptions {
  manager: BfdManager;
  speaker: () => LivenessSink | undefined;
  log: Logger;
  metrics: Registry;
  /** Bounded wait for BFD before BGP connects without it (default 30 s, bgp/liveness-gate.ts). */
  maxWaitMs?: number;
  /** For the "not Up after maxWaitMs" problem. */
  clock: Clock;
}

export class BfdCoupling implements BfdPort {
  private sessions = new Map<string, BfdPlan>();
  /** When each session was added (monotonic time: only ever a duration), until its BFD is first Up. */
  private neverUp = new Map<string, number>();
  readonly gate: LivenessGate;

  constructor(private readonly o: BfdCouplingOptions) {
    const m = o.manager;
    this.gate = {
      state: (address: string): LivenessState => {
        if (!this.sessions.has(address) || this.neverUp.has(address)) return undefined;
        return m.state(address) === 'Up' ? 'up' : 'down';
      },
      ...(o.maxWaitMs !== undefined ? { maxWaitMs: o.maxWaitMs } : {}),
    };
    m.on('up', ({ peer }) => {
      this.neverUp.delete(peer);
      o.log.info('bfd session up', { peer });
      o.speaker()?.livenessUp(peer);
    });
    m.on('down', ({ peer, diagnosticName, remote }) => {
      o.log.warn('bfd session down', { peer, diagnostic: diagnosticName, signalledByPeer: remote });
      o.speaker()?.livenessDown(peer, `BFD down: ${diagnosticName}`);
    });
    m.on('adminDown', ({ peer, remote }) => {
      o.log.info(
        remote ? 'bfd: the peer went AdminDown; BGP session kept (RFC 5882 §3.2)' : 'bfd: local AdminDown',
        { peer },
      );
    });
    this.registerMetrics(o.metrics);
  }

  /** The planned sessions: added, updated (poll sequence, no flap) or removed (never AdminDown). */
  setSessions(plans: BfdPlan[]): void {
    const next = new Map(plans.map((p) => [p.peerAddress, p]));
    for (const [address, cur] of this.sessions) {
      const p = next.get(address);
      if (p && p.multihop === cur.multihop) continue;
      this.o.manager.remove(address);
      this.sessions.delete(address);
      this.neverUp.delete(address);
      this.o.log.info('bfd session removed', { peer: address });
    }
    for (const [address, p] of next) {
      const cur = this.sessions.get(address);
      if (cur && JSON.stringify(cur.profile) === JSON.stringify(p.profile)) {
        this.sessions.set(address, p);
        continue;
      }
      if (cur) this.o.manager.update(address, p.profile);
      else {
        this.o.manager.add({ peer: address, multihop: p.multihop, profile: p.profile });
        this.neverUp.set(address, monotonicNow(this.o.clock));
        this.o.log.info('bfd session added', { peer: address, profile: p.profileName, multihop: p.multihop });
      }
      this.sessions.set(address, p);
    }
  }

  status(address: string): BfdPeerStatus | undefined {
    const p = this.sessions.get(address);
    const s = this.o.manager.snapshot(address);
    if (!p || !s) return undefined;
    return {
      profile: p.profileName,
      multihop: p.multihop,
      state: s.state,
      txIntervalMs: s.txIntervalMs,
      rxIntervalMs: s.rxIntervalMs,
      multiplier: s.multiplier,
      lastDiagnostic: s.lastDiagnostic,
      flaps: s.flaps,
    };
  }

  problems(): string[] {
    const wait = this.o.maxWaitMs ?? DEFAULT_LIVENESS_WAIT_MS;
    const now = monotonicNow(this.o.clock);
    const silent = [...this.neverUp]
      .filter(([, since]) => now - since >= wait)
      .map(
        ([peer]) =>
          `BFD to ${peer} not Up after ${Math.round(wait / 1000)} s: the peer does not answer BFD (is BFD configured on the router for this node?); BGP runs without it`,
      );
    return [...this.o.manager.problems(), ...silent];
  }

  close(): void {
    for (const address of this.sessions.keys()) this.o.manager.remove(address);
    this.sessions.clear();
    this.neverUp.clear();
    this.o.manager.close();
  }

  private registerMetrics(r: Registry): void {
    const m = this.o.manager;
    const per = (f: (peer: string) => number): Sample[] =>
      [...m.snapshots().keys()].map((peer) => ({ labels: { peer }, value: f(peer) }));
    r.collect('edgelb_bfd_session_up', 'BFD session Up (1) or not (0).', 'gauge', () =>
      per((peer) => (m.state(peer) === 'Up' ? 1 : 0)),
    );
    r.collect('edgelb_bfd_session_flaps_total', 'Times the BFD session left Up.', 'counter', () =>
      per((peer) => m.snapshot(peer)?.flaps ?? 0),
    );
    r.collect(
      'edgelb_bfd_diagnostics_total',
      'BFD Down transitions by diagnostic (RFC 5880 §4.1 name).',
      'counter',
      () =>
        [...m.snapshots().keys()].flatMap((peer) =>
          [...m.diagnostics(peer)].map(([diag, n]) => ({ labels: { peer, diag }, value: n })),
        ),
    );
    r.collect(
      'edgelb_bfd_discarded_packets_total',
      'Received BFD packets discarded, by reason (RFC 5880 §6.8.6, RFC 5881/5883 TTL).',
      'counter',
      () => Object.entries(m.counters().discards).map(([reason, n]) => ({ labels: { reason }, value: n })),
    );
    r.collect(
      'edgelb_bfd_timer_wakeups_total',
      'Wake-ups of the BFD timer wheel (one per batch of transmissions or expiries, all sessions).',
      'counter',
      () => [{ labels: {}, value: m.counters().wakeups }],
    );
  }
}
