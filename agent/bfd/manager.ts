/**
 * SHELL. Every BFD session of this process, keyed by peer address, behind one transport
 * (one receive socket per port and family). Demultiplexes received packets (demux.ts),
 * counts every discarded packet by reason, and reports what the BGP coupling needs as
 * `up`/`down`/`adminDown` events (events.ts).
 */
import { type Clock, monotonicNow } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { canonicalIP, type Family } from '../net/ip.ts';
import { arrivalMonotonic } from './arrival.ts';
import { DISCARD_REASONS, type DiscardReason } from './checks.ts';
import { routeDatagram } from './demux.ts';
import { diagnosticName } from './diagnostic.ts';
import { type BfdManagerEvent, eventFor } from './events.ts';
import type { SessionState } from './packet.ts';
import { type BfdProfile, profileToConfig } from './profile.ts';
import { BfdSession, type BfdSnapshot, type StateChange } from './session.ts';
import {
  type BfdDatagram,
  type BfdTransport,
  MAX_RECEIVE_DELAY_MS,
  type TransportFactory,
} from './transport.ts';
import { WheelTimer } from './wheel-timer.ts';

export interface BfdPeer {
  /** Peer address; the session key. */
  peer: string;
  /** Expected local address; packets to another one are not this session's. */
  local?: string;
  /** RFC 5883 multihop (UDP 4784, minimum TTL from the profile) instead of single hop. */
  multihop?: boolean;
  profile: BfdProfile;
}

export { type BfdManagerEvent, eventFor } from './events.ts';

type Listener<T extends BfdManagerEvent['type']> = (e: Extract<BfdManagerEvent, { type: T }>) => void;

export interface BfdCounters {
  received: number;
  /** Discarded packets by reason (every reason present, 0 when none). */
  discards: Record<DiscardReason, number>;
  /** Wake-ups of the sessions' timer wheel (one per batch of transmissions or expiries). */
  wakeups: number;
}

export interface BfdManagerOptions {
  clock: Clock;
  random: () => number;
  transport: TransportFactory;
  log?: Logger;
}

interface Entry {
  spec: BfdPeer;
  family: Family;
  session: BfdSession;
}

const MAX_U32 = 0xffffffff;
const DISCRIMINATOR_ATTEMPTS = 1000;

export class BfdManager {
  private readonly byPeer = new Map<string, Entry>();
  private readonly byDiscr = new Map<number, Entry>();
  private readonly listeners: ((e: BfdManagerEvent) => void)[] = [];
  private readonly transport: BfdTransport;
  /** One process timer for every session's TX and Detection Time; each tick drains first. */
  private readonly wheel: WheelTimer;
  private received = 0;
  private readonly discards = new Map<DiscardReason, number>();
  private readonly listenProblems = new Map<string, string>();

  constructor(private readonly o: BfdManagerOptions) {
    this.transport = o.transport((d) => this.onDatagram(d));
    this.wheel = new WheelTimer({
      clock: o.clock,
      beforeTick: () => this.transport.drain(),
      maxGapMs: MAX_RECEIVE_DELAY_MS,
    });
  }

  on<T extends BfdManagerEvent['type']>(type: T, fn: Listener<T>): () => void {
    const l = (e: BfdManagerEvent) => {
      if (e.type === type) fn(e as Extract<BfdManagerEvent, { type: T }>);
    };
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Starts a session (idempotent per peer: an existing one is updated instead). */
  add(spec: BfdPeer): void {
    const peer = canonicalIP(spec.peer);
    if (!peer) throw new Error(`invalid BFD peer address ${spec.peer}`);
    const existing = this.byPeer.get(peer);
    const local = spec.local ? canonicalIP(spec.local) : undefined;
    if (
      existing &&
      (existing.spec.multihop === true) === (spec.multihop === true) &&
      existing.spec.local === local
    ) {
      existing.spec = { ...existing.spec, profile: spec.profile };
      existing.session.update(profileToConfig(spec.profile));
      this.refreshBusy();
      return;
    }
    // A new mode or local address is a new session (its discriminator and sockets differ).
    if (existing) this.remove(peer);
    const family: Family = peer.includes(':') ? 6 : 4;
    const multihop = spec.multihop === true;
    this.listen(family, multihop);
    const localDiscr = this.newDiscriminator();
    const entry: Entry = {
      spec: { ...spec, peer, local },
      family,
      session: undefined as unknown as BfdSession,
    };
    entry.session = new BfdSession({
      config: profileToConfig(spec.profile),
      localDiscr,
      clock: this.o.clock,
      random: this.o.random,
      wheel: this.wheel,
      send: (bytes) => this.transport.send(bytes, peer, family, multihop),
      onChange: (c) => this.onChange(entry, c),
    });
    this.byPeer.set(peer, entry);
    this.byDiscr.set(localDiscr, entry);
    entry.session.start();
    this.refreshBusy();
  }

  /**
   * Problems that keep sessions from working, e.g. the BFD port already taken by another
   * daemon in this network namespace (for /status). Retried on the next add().
   */
  problems(): string[] {
    return [...this.listenProblems.values()];
  }

  private listen(family: Family, multihop: boolean): void {
    const key = `${family}/${multihop}`;
    try {
      this.transport.listen(family, multihop);
      this.listenProblems.delete(key);
    } catch (err) {
      const port = multihop ? 'UDP 4784 (multihop)' : 'UDP 3784 (single hop)';
      const msg = `cannot receive BFD on IPv${family} ${port}: ${err instanceof Error ? err.message : String(err)}`;
      if (!this.listenProblems.has(key))
        this.o.log?.error('bfd listen failed', { family, multihop, error: msg });
      this.listenProblems.set(key, msg);
    }
  }

  /** Stops a session without telling the peer anything (never AdminDown; its detection expires). */
  remove(peer: string): void {
    const e = this.find(peer);
    if (!e) return;
    e.session.stop();
    this.byPeer.delete(e.spec.peer);
    this.byDiscr.delete(e.session.state.localDiscr);
  }

  /** New timers or mode for one peer; interval changes run a poll sequence. */
  update(peer: string, profile: BfdProfile): void {
    const e = this.find(peer);
    if (!e) return;
    e.spec = { ...e.spec, profile };
    e.session.update(profileToConfig(profile));
    this.refreshBusy();
  }

  /** Explicit administrative down: the only way edgelb sends AdminDown (the peer may drop BGP). */
  adminDown(peer: string): void {
    this.find(peer)?.session.adminDown();
  }

  adminUp(peer: string): void {
    this.find(peer)?.session.adminUp();
  }

  state(peer: string): SessionState | undefined {
    return this.find(peer)?.session.state.sessionState;
  }

  snapshot(peer: string): BfdSnapshot | undefined {
    return this.find(peer)?.session.snapshot();
  }

  snapshots(): Map<string, BfdSnapshot> {
    return new Map([...this.byPeer].map(([p, e]) => [p, e.session.snapshot()]));
  }

  /** Down transitions by diagnostic name for one peer. */
  diagnostics(peer: string): Map<string, number> {
    return new Map(this.find(peer)?.session.diagnostics ?? []);
  }

  counters(): BfdCounters {
    const discards = {} as Record<DiscardReason, number>;
    for (const r of DISCARD_REASONS) discards[r] = this.discards.get(r) ?? 0;
    return { received: this.received, discards, wakeups: this.wheel.ticks };
  }

  close(): void {
    for (const e of this.byPeer.values()) e.session.stop();
    this.byPeer.clear();
    this.byDiscr.clear();
    this.wheel.close();
    this.transport.close();
  }

  private find(peer: string): Entry | undefined {
    const p = canonicalIP(peer);
    return p ? this.byPeer.get(p) : undefined;
  }

  private newDiscriminator(): number {
    for (let i = 0; i < DISCRIMINATOR_ATTEMPTS; i++) {
      const d = 1 + Math.floor(this.o.random() * MAX_U32);
      if (d <= MAX_U32 && !this.byDiscr.has(d)) return d;
    }
    throw new Error('no free BFD discriminator');
  }

  private discard(reason: DiscardReason, d: BfdDatagram): void {
    this.discards.set(reason, (this.discards.get(reason) ?? 0) + 1);
    this.o.log?.debug('bfd packet discarded', { reason, peer: d.peer, ttl: d.ttl, multihop: d.multihop });
  }

  private onDatagram(d: BfdDatagram): void {
    this.received++;
    const r = routeDatagram(d, this.byDiscr, this.byPeer);
    if (typeof r === 'string') this.discard(r, d);
    else {
      // The kernel's stamp is wall time; the session's timers are monotonic.
      const c = this.o.clock;
      r.entry.session.receive(r.packet, arrivalMonotonic(d.receivedAt, c.now(), monotonicNow(c)));
      this.refreshBusy();
    }
  }

  /** The transport drains quickly while any session is coming up or polling. */
  private refreshBusy(): void {
    let busy = false;
    for (const e of this.byPeer.values()) {
      const s = e.session.state;
      if (s.sessionState !== 'Up' || s.polling) {
        busy = true;
        break;
      }
    }
    this.transport.setBusy(busy);
  }

  private onChange(e: Entry, c: StateChange): void {
    const peer = e.spec.peer;
    const fields = { peer, from: c.from, to: c.to, diagnostic: diagnosticName(c.diagnostic), cause: c.cause };
    if (c.to === 'Up') this.o.log?.info('bfd session up', fields);
    else if (c.from === 'Up') this.o.log?.warn('bfd session down', fields);
    else this.o.log?.debug('bfd session state', fields);
    this.refreshBusy();
    const ev = eventFor(peer, c);
    if (ev) this.emit(ev);
  }

  private emit(e: BfdManagerEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}
