/**
 * L2Ownership shells on one FakeClock against an in-memory Lease API with delayed watches (moved
 * from ownership-simulation.test.ts, unchanged apart from the per-node wall clocks): each node
 * sees the shared clock through its own view, whose wall time jump(node, ms) steps alone, as an
 * NTP step on one machine would; the API, the watches and the harness run on the shared clock.
 */
import type { LeaseStore } from '../../../agent/kube/leader-election.ts';
import type { Lease } from '../../../agent/kube/lease-record.ts';
import { KubeApiError } from '../../../agent/kube/transport.ts';
import { type HeartbeatLease, heartbeatLeaseName } from '../../../agent/l2/heartbeat-lease.ts';
import type { OwnershipCandidate } from '../../../agent/l2/ownership.ts';
import { type HeartbeatWatch, L2Ownership } from '../../../agent/l2/ownership-controller.ts';
import { type Clock, FakeClock } from '../../../agent/lib/clock.ts';
import { memoryLogger } from '../../../agent/lib/log.ts';

export const LEASE_MS = 2_000;
export const RENEW_MS = 500;
export const STEP_MS = 10;

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Leases with resourceVersions; each API call answers after `delayMs`; watches deliver after `watchDelayMs`. */
export class MemoryLeaseApi {
  readonly leases = new Map<string, HeartbeatLease>();
  private rv = 0;
  private readonly watchers = new Set<MemoryWatch>();
  writes: { name: string; at: number; holder: string }[] = [];

  constructor(
    readonly clock: FakeClock,
    readonly delayMs = 5,
    readonly watchDelayMs = 5,
  ) {}

  /** cut: no answer and no effect; lossy: the request takes effect but its answer is lost. */
  private answer<T>(cut: () => boolean, lossy: () => boolean, signal: AbortSignal, f: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      if (cut()) return; // a partition: no answer until the caller gives up
      let result: T;
      try {
        result = f();
      } catch (err) {
        if (!lossy()) this.clock.setTimer(this.delayMs, () => reject(err));
        return;
      }
      if (!lossy()) this.clock.setTimer(this.delayMs, () => resolve(result));
    });
  }

  store(name: string, cut: () => boolean, lossy: () => boolean = () => false): LeaseStore {
    return {
      get: (signal) =>
        this.answer(cut, lossy, signal, () => structuredClone(this.leases.get(name)) as Lease | undefined),
      create: (lease, signal) =>
        this.answer(cut, lossy, signal, () => {
          if (this.leases.has(name))
            throw new KubeApiError(409, 'AlreadyExists', 'exists', 'create', 'leases');
          return this.save(lease as HeartbeatLease);
        }),
      update: (lease, signal) =>
        this.answer(cut, lossy, signal, () => {
          const cur = this.leases.get(name);
          if (!cur) throw new KubeApiError(404, 'NotFound', 'gone', 'update', 'leases');
          if (lease.metadata.resourceVersion !== cur.metadata.resourceVersion)
            throw new KubeApiError(409, 'Conflict', 'stale', 'update', 'leases');
          return this.save(lease as HeartbeatLease);
        }),
    };
  }

  private save(lease: HeartbeatLease): Lease {
    this.rv++;
    const saved = structuredClone({
      ...lease,
      metadata: { ...lease.metadata, resourceVersion: String(this.rv) },
    });
    this.leases.set(saved.metadata.name, saved);
    this.writes.push({
      name: saved.metadata.name,
      at: this.clock.now(),
      holder: saved.spec.holderIdentity ?? '',
    });
    for (const w of this.watchers) w.push(structuredClone(saved));
    return structuredClone(saved);
  }

  watch(cut: () => boolean): HeartbeatWatch {
    const w = new MemoryWatch(this, cut);
    return {
      start: (onChange) => {
        this.watchers.add(w);
        w.start(onChange);
      },
      stop: () => {
        this.watchers.delete(w);
        w.stop();
      },
      list: () => [...w.cache.values()],
      get synced() {
        return w.synced;
      },
    };
  }
}

/** A watch that holds its events while cut (a stalled stream) and delivers them in order after. */
export class MemoryWatch {
  readonly cache = new Map<string, HeartbeatLease>();
  synced = false;
  private queue: { at: number; lease: HeartbeatLease }[] = [];
  private onChange: () => void = () => {};
  private stopped = false;

  constructor(
    private readonly api: MemoryLeaseApi,
    private readonly cut: () => boolean,
  ) {}

  start(onChange: () => void): void {
    this.onChange = onChange;
    const sync = () => {
      if (this.stopped) return;
      if (this.cut()) {
        this.api.clock.setTimer(50, sync);
        return;
      }
      for (const [k, v] of this.api.leases) this.cache.set(k, structuredClone(v));
      this.queue = [];
      this.synced = true;
      this.onChange();
    };
    this.api.clock.setTimer(this.api.watchDelayMs, sync);
  }

  stop(): void {
    this.stopped = true;
  }

  push(lease: HeartbeatLease): void {
    this.queue.push({ at: this.api.clock.now() + this.api.watchDelayMs, lease });
    this.api.clock.setTimer(this.api.watchDelayMs, () => this.deliver());
  }

  private deliver(): void {
    if (this.stopped || !this.synced) return;
    if (this.cut()) {
      this.api.clock.setTimer(50, () => this.deliver());
      return;
    }
    const now = this.api.clock.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const e = this.queue.shift()!;
      this.cache.set(e.lease.metadata.name, e.lease);
      this.onChange();
    }
  }
}

export interface SimNode {
  name: string;
  own?: L2Ownership;
  answering: Set<string>;
  dead: boolean;
  cutApi: boolean;
  cutWatch: boolean;
  lossy: boolean;
}

export class Sim {
  readonly clock = new FakeClock();
  readonly api: MemoryLeaseApi;
  readonly nodes = new Map<string, SimNode>();
  candidates: OwnershipCandidate[];
  violations: string[] = [];
  /** Time at which each IP last changed answerer (or lost it). */
  readonly history: { at: number; node: string; owned: string[] }[] = [];
  /** Each node's wall-clock offset from the shared clock (its NTP steps). */
  private readonly wallOffset = new Map<string, number>();

  constructor(names: string[], candidates: OwnershipCandidate[], delayMs = 5) {
    this.api = new MemoryLeaseApi(this.clock, delayMs, delayMs);
    this.candidates = candidates;
    for (const n of names)
      this.nodes.set(n, {
        name: n,
        answering: new Set(),
        dead: true,
        cutApi: false,
        cutWatch: false,
        lossy: false,
      });
  }

  node(name: string): SimNode {
    return this.nodes.get(name)!;
  }

  /** A fresh process on `name`. */
  start(name: string): void {
    const n = this.node(name);
    n.dead = false;
    n.answering = new Set();
    const own: L2Ownership = new L2Ownership({
      node: name,
      namespace: 'kube-system',
      leaseDurationMs: LEASE_MS,
      renewIntervalMs: RENEW_MS,
      store: this.api.store(
        heartbeatLeaseName(name),
        () => n.cutApi || n.own !== own,
        () => n.lossy,
      ),
      watch: this.api.watch(() => n.cutApi || n.cutWatch || n.own !== own),
      clock: this.clockOf(name),
      log: memoryLogger('error'),
      onOwnedChange: (s) => {
        if (n.own !== own || n.dead) return;
        n.answering = new Set(s);
        this.history.push({ at: this.clock.now(), node: name, owned: [...s].sort() });
        this.check();
      },
    });
    n.own = own;
    own.setCandidates(this.candidates);
    own.start();
  }

  /** Node `name`'s clock: the shared one, its wall time moved by the node's own steps. */
  clockOf(name: string): Clock {
    const c = this.clock;
    return {
      now: () => c.now() + (this.wallOffset.get(name) ?? 0),
      monotonic: () => c.monotonic(),
      setTimer: (ms, fn) => c.setTimer(ms, fn),
    };
  }

  /** Steps node `name`'s wall clock by ms (forward or back), as NTP would; nothing else moves. */
  jump(name: string, ms: number): void {
    this.wallOffset.set(name, (this.wallOffset.get(name) ?? 0) + ms);
  }

  /** SIGKILL / power off: answers stop at once, the Lease is left as it was. */
  kill(name: string): void {
    const n = this.node(name);
    n.dead = true;
    n.answering = new Set();
    n.own = undefined;
  }

  async stop(name: string): Promise<void> {
    const n = this.node(name);
    const own = n.own;
    const done = own?.stop();
    await flush();
    n.dead = true;
    n.answering = new Set();
    n.own = undefined;
    void done;
  }

  setCandidates(c: OwnershipCandidate[]): void {
    this.candidates = c;
    for (const n of this.nodes.values()) if (!n.dead) n.own?.setCandidates(c);
  }

  answerers(ip: string): string[] {
    return [...this.nodes.values()].filter((n) => !n.dead && n.answering.has(ip)).map((n) => n.name);
  }

  check(): void {
    for (const c of this.candidates) {
      const a = this.answerers(c.ip);
      if (a.length > 1) this.violations.push(`${this.clock.now()}: ${c.ip} answered by ${a.join(', ')}`);
    }
  }

  async run(ms: number, each?: () => void): Promise<void> {
    for (let t = 0; t < ms; t += STEP_MS) {
      this.clock.advance(STEP_MS);
      await flush();
      this.check();
      each?.();
    }
  }

  /** Runs until every IP with a healthy eligible node has one answerer; returns the time it took or -1. */
  async settle(maxMs: number): Promise<number> {
    const start = this.clock.now();
    for (let t = 0; t <= maxMs; t += STEP_MS) {
      if (this.settled()) return this.clock.now() - start;
      this.clock.advance(STEP_MS);
      await flush();
      this.check();
    }
    return this.settled() ? this.clock.now() - start : -1;
  }

  settled(): boolean {
    return this.candidates.every((c) => {
      const healthy = [...c.eligibleNodes].some((e) => {
        const n = this.nodes.get(e);
        return n && !n.dead && !n.cutApi && !n.cutWatch && !n.lossy;
      });
      return (
        this.answerers(c.ip).length === (healthy ? 1 : 0) || (!healthy && this.answerers(c.ip).length <= 1)
      );
    });
  }
}
