/**
 * The single serial loop: observed state -> IPAM (on the leader) -> Service/pool status,
 * then, on every node, desired announcements -> the BGP speaker. Every IPAM change happens
 * here, in order; triggers that arrive while a pass runs coalesce into one more pass.
 *
 * Incremental when the source is a ServiceChangeFeed (the Kubernetes source): a pass looks
 * only at the Services whose keys changed since the last one (plus those whose IPAM result
 * the changes moved, and failed writes). A change that only echoes a status write leaves the
 * IPAM alone: its inputs compare equal without building a view. Every `fullResyncMs` (and
 * whenever the feed says 'all': first sync, a relist) a full pass compares every Service
 * and checks every status, as a safety net. Other sources (files mode, tests that edit
 * objects in place) get a full pass each time, with fingerprints.
 */
import { type ServiceObject, serviceKey } from '../api/core.ts';
import { SERVICE_CONDITION } from '../api/v1alpha1.ts';
import { Ipam } from '../ipam/ipam.ts';
import type { ServiceResult } from '../ipam/types.ts';
import { backoffDelay } from '../lib/backoff.ts';
import type { Clock, Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Registry } from '../lib/metrics.ts';
import type { EventKind, ObservedState, Source } from '../source/types.ts';
import { type AnnouncePlan, type PeerPlan, planAnnouncements } from './plan/announce.ts';
import { type PoolResult, poolResult } from './plan/pool-conditions.ts';
import {
  poolFingerprint,
  poolSpec,
  type ServiceInputs,
  sameInputs,
  serviceFingerprint,
  serviceInputs,
  serviceView,
  statusIPs,
} from './plan/to-domain.ts';
import { type ValidObjects, validObjects } from './plan/valid-objects.ts';

/** The part of the BGP speaker the loop drives. */
export interface SpeakerPort {
  setPeers(peers: PeerPlan[]): void;
  setAdvertisements(desired: Map<string, string[]>): void;
}

/**
 * Optional capability of a Source: which Services changed. Objects must be replaced on
 * change, never edited in place (the loop keeps the version it last evaluated).
 */
export interface ServiceChangeFeed {
  /** Keys ("namespace/name") added, changed or deleted since the last call, or 'all'. */
  takeServiceChanges(): ReadonlySet<string> | 'all';
  /** The current object for a key, as observe() lists it. */
  service(key: string): ServiceObject | undefined;
}

function feedOf(source: Source): ServiceChangeFeed | undefined {
  const f = source as Partial<ServiceChangeFeed>;
  return typeof f.takeServiceChanges === 'function' && typeof f.service === 'function'
    ? (f as ServiceChangeFeed)
    : undefined;
}

export interface ReconcilerOptions {
  source: Source;
  /** Created by the caller once the router ID is known; undefined until then. */
  speaker: () => SpeakerPort | undefined;
  nodeName: string;
  defaultSecretNamespace: string;
  clock: Clock;
  /** Jitter for retry backoff (default: none). */
  random?: () => number;
  log: Logger;
  metrics: Registry;
  debounceMs?: number;
  /** Concurrent status writes on the leader. */
  writeConcurrency?: number;
  /** Status writes in one pass (default: all); the rest follow in the next passes, at once. */
  maxWritesPerPass?: number;
  /** With a change feed: a full pass at least this often (default 5 min; 0 = never by time). */
  fullResyncMs?: number;
  /**
   * A full garbage collection, so the heap a burst grew is returned instead of kept: once the
   * loop has been idle for `collectDelayMs` (default 1 s) after passes that handled at least
   * `collectAfter` Services (default 1000), and during a long burst every 2 x collectAfter
   * status writes. Default: Bun.gc(true), plus Bun.shrink() once quiet, when running on Bun.
   */
  collect?: () => void;
  collectAfter?: number;
  collectDelayMs?: number;
}

/**
 * Bun.gc(true) during a burst; once quiet, also Bun.shrink(), which hands freed pages back to
 * the system (and drops compiled code, so not mid-burst): settled RSS about 5 MiB lower at 10k.
 */
function defaultCollect(quiet: boolean): (() => void) | undefined {
  const bun = (globalThis as { Bun?: { gc?: (force: boolean) => void; shrink?: () => void } }).Bun;
  if (!bun?.gc) return undefined;
  return () => {
    bun.gc?.(true);
    if (quiet) bun.shrink?.();
  };
}

const WRITE_CONCURRENCY = 8;
/** Retrying failed status writes: 0.5 s, 1 s, 2 s ... up to 30 s, with jitter. */
const RETRY_BACKOFF = { baseMs: 500, capMs: 30_000, jitter: 0.2 };
const FULL_RESYNC_MS = 5 * 60_000;
/** No slicing by default: the speaker re-reads every prefix per call, so slices cost more than they save. */
const MAX_WRITES_PER_PASS = Number.POSITIVE_INFINITY;

export class Reconciler {
  private ipam: Ipam | undefined;
  private seenPools = new Map<string, string>();
  /**
   * Per Service key: what the IPAM was last given, as a fingerprint (full passes) or, with a
   * feed, as a small record sharing the object's labels, annotations and spec (no old version
   * of the object stays alive through it while its echo is pending).
   */
  private seenServices = new Map<string, string | ServiceInputs>();
  private readonly feed: ServiceChangeFeed | undefined;
  /** Keys whose status must be compared with the IPAM's result on the next pass (failed writes). */
  private recheck = new Set<string>();
  private lastFull = Number.NEGATIVE_INFINITY;
  private resyncTimer: Timer | undefined;
  /** Services handled (changes and writes) since the last collection. */
  private work = 0;
  /** Status writes since the last collection during a burst. */
  private writes = 0;
  private collectTimer: Timer | undefined;
  private retryTimer: Timer | undefined;
  private retryAttempt = 0;
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastPlan: AnnouncePlan | undefined;
  private plannedFrom: ObservedState | undefined;
  private plannedFor: SpeakerPort | undefined;
  private lastObjects: ValidObjects | undefined;
  private passes = 0;
  private readonly m;

  constructor(private readonly o: ReconcilerOptions) {
    this.feed = feedOf(o.source);
    const r = o.metrics;
    this.m = {
      leader: r.gauge('edgelb_leader', '1 while this node holds the leader Lease and allocates, else 0.'),
      poolIPs: r.gauge('edgelb_ipam_pool_ips', 'Addresses per pool by state (total, used, available).', [
        'pool',
        'state',
      ]),
      allocations: r.counter('edgelb_ipam_allocations_total', 'IP allocations made by this node as leader.'),
      errors: r.counter('edgelb_ipam_errors_total', 'Services left without an IP, by reason.', ['reason']),
      passes: r.counter('edgelb_reconcile_passes_total', 'Reconcile passes run.'),
    };
    this.m.leader.set({}, 0);
  }

  /** Asks for a pass soon; many triggers in a burst make one pass. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer ??= this.o.clock.setTimer(this.o.debounceMs ?? 10, () => {
      this.timer = undefined;
      void this.runNow();
    });
  }

  /** Runs one pass now (and the coalesced follow-up, if any). Resolves when idle. */
  runNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        for (let i = 0; i < 100; i++) {
          this.again = false;
          await this.pass();
          if (!this.again || this.stopped) break;
        }
      } catch (err) {
        this.o.log.error('reconcile pass failed', { error: (err as Error).message });
      } finally {
        this.running = undefined;
        // Bounded loop ended with work left (a long burst): carry on after the debounce.
        if (this.again && !this.stopped) {
          this.again = false;
          this.trigger();
        }
        this.scheduleRetry();
        this.maybeCollect();
      }
    })();
    return this.running;
  }

  /**
   * Failed status writes (API errors, a partition) are retried with backoff even if nothing
   * else changes; without this they would wait for the next event or the periodic full pass.
   */
  private scheduleRetry(): void {
    if (this.recheck.size === 0 || this.stopped || !this.o.source.leadership.isLeader()) {
      this.retryAttempt = 0;
      return;
    }
    if (this.retryTimer) return;
    const delay = backoffDelay(this.retryAttempt++, RETRY_BACKOFF, this.o.random ?? (() => 0.5));
    this.retryTimer = this.o.clock.setTimer(delay, () => {
      this.retryTimer = undefined;
      this.trigger();
    });
  }

  stop(): void {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.timer?.cancel();
    this.resyncTimer?.cancel();
    this.collectTimer?.cancel();
  }

  /** After a burst (10,000 Services created, a relist...), collect once the loop is quiet. */
  private maybeCollect(): void {
    if (this.work < (this.o.collectAfter ?? 1000) || this.stopped) return;
    const collect = this.o.collect ?? defaultCollect(true);
    if (!collect) return;
    this.collectTimer?.cancel();
    this.collectTimer = this.o.clock.setTimer(this.o.collectDelayMs ?? 1000, () => {
      this.collectTimer = undefined;
      if (this.running || this.stopped) return; // the pass that ends will ask again
      this.work = 0;
      this.writes = 0;
      collect();
    });
  }

  get isIdle(): boolean {
    return !this.running && !this.timer;
  }

  get passCount(): number {
    return this.passes;
  }

  results(): ServiceResult[] {
    return this.ipam?.results() ?? [];
  }

  poolResults(): PoolResult[] {
    return this.ipam?.pools().map(poolResult) ?? [];
  }

  plan(): AnnouncePlan | undefined {
    return this.lastPlan;
  }

  /** Problems with policies or pools (validation, secrets, conflicts), for /status. */
  problems(): string[] {
    const out: string[] = [];
    for (const [pool, list] of this.lastObjects?.invalidPools ?? [])
      out.push(`pool ${pool.metadata.name}: ${list.join('; ')}`);
    for (const [name, list] of this.lastObjects?.invalidPolicies ?? [])
      out.push(`policy ${name}: ${list.join('; ')}`);
    for (const [name, list] of this.lastPlan?.problems ?? [])
      for (const p of list) out.push(`policy ${name}: ${p}`);
    return out;
  }

  private async pass(): Promise<void> {
    this.passes++;
    this.m.passes.inc();
    const observed = this.o.source.observe();
    if (!observed.synced) return;
    // Taken only once synced; changes that arrive during this pass are the next pass's.
    let changes: ReadonlySet<string> | 'all' = this.feed ? this.feed.takeServiceChanges() : 'all';
    const resyncMs = this.o.fullResyncMs ?? FULL_RESYNC_MS;
    if (this.feed && resyncMs > 0 && this.o.clock.now() - this.lastFull >= resyncMs) changes = 'all';
    if (changes === 'all') this.fullDone(resyncMs);
    else {
      this.work += changes.size;
      // A pass over a burst of changes (the echoes of thousands of writes) starts from a
      // collected heap, so its own garbage does not stack on the burst's.
      if (changes.size >= (this.o.collectAfter ?? 1000)) {
        this.writes = 0;
        (this.o.collect ?? defaultCollect(false))?.();
      }
    }
    const objects = validObjects(observed);
    this.lastObjects = objects;
    if (this.o.source.leadership.isLeader()) {
      this.m.leader.set({}, 1);
      await this.allocate(observed, objects, changes);
    } else {
      if (this.ipam)
        this.o.log.info('no longer leader: dropping IPAM state; it is rebuilt from status on the next lead');
      this.ipam = undefined;
      this.seenServices = new Map();
      this.recheck = new Set();
      this.m.leader.set({}, 0);
    }
    this.announce(this.o.source.observe());
  }

  /** Records a full pass and, with a feed, schedules the next one. */
  private fullDone(resyncMs: number): void {
    this.lastFull = this.o.clock.now();
    if (!this.feed || resyncMs <= 0 || this.stopped) return;
    this.resyncTimer?.cancel();
    this.resyncTimer = this.o.clock.setTimer(resyncMs, () => {
      this.resyncTimer = undefined;
      this.trigger();
    });
  }

  private async allocate(
    observed: ObservedState,
    objects: ValidObjects,
    changes: ReadonlySet<string> | 'all',
  ): Promise<void> {
    const pools = objects.pools.map(poolSpec);
    /** Keys whose status may differ from the IPAM's result; undefined: all of them. */
    let check: Set<string> | undefined;
    const moved = (results: ServiceResult[]) => {
      for (const r of results) check?.add(r.key);
    };
    if (!this.ipam) {
      // Restore before allocating: every IP already in status is imported first.
      const views = observed.services.map(serviceView);
      this.ipam = new Ipam();
      this.ipam.restore(pools, views);
      this.work += views.length;
      this.seenPools = new Map(pools.map((p) => [p.name, poolFingerprint(p)]));
      this.seenServices = new Map();
      for (let i = 0; i < views.length; i++) {
        const v = views[i]!;
        this.seenServices.set(
          v.key,
          this.feed ? serviceInputs(observed.services[i]!) : serviceFingerprint(v),
        );
      }
      this.recheck = new Set();
      this.o.log.info('leading: IPAM restored from status', { services: views.length, pools: pools.length });
    } else {
      const ipam = this.ipam;
      check = changes === 'all' ? undefined : new Set(changes);
      if (check) for (const k of this.recheck) check.add(k);
      this.recheck = new Set();
      const poolNames = new Set(pools.map((p) => p.name));
      for (const name of [...this.seenPools.keys()]) {
        if (!poolNames.has(name)) {
          moved(ipam.deletePool(name));
          this.seenPools.delete(name);
        }
      }
      for (const p of pools) {
        const fp = poolFingerprint(p);
        if (this.seenPools.get(p.name) !== fp) {
          moved(ipam.upsertPool(p));
          this.seenPools.set(p.name, fp);
        }
      }
      if (changes === 'all') {
        const keys = new Set<string>();
        for (const svc of observed.services) keys.add(serviceKey(svc));
        for (const key of [...this.seenServices.keys()]) {
          if (!keys.has(key)) {
            ipam.deleteService(key);
            this.seenServices.delete(key);
          }
        }
        for (const svc of observed.services) this.upsert(svc, moved);
      } else {
        const feed = this.feed!;
        for (const key of changes) {
          const svc = feed.service(key);
          if (svc) this.upsert(svc, moved);
          else if (this.seenServices.delete(key)) moved(ipam.deleteService(key));
        }
      }
    }
    await this.writeStatuses(observed.services, check);
    await this.writePools(objects);
  }

  /** Gives a Service to the IPAM unless its inputs are those it already has. */
  private upsert(svc: ServiceObject, moved: (r: ServiceResult[]) => void): void {
    const key = serviceKey(svc);
    const seen = this.seenServices.get(key);
    if (this.feed) {
      const prev = typeof seen === 'string' ? undefined : seen;
      // e.g. the echo of our own status write: nothing the IPAM reads changed
      if (prev && sameInputs(prev, svc)) {
        // Point at the newest (equal) parts, so nothing of an older version stays pinned.
        prev.labels = svc.metadata.labels;
        prev.annotations = svc.metadata.annotations;
        prev.spec = svc.spec;
        return;
      }
      const v = serviceView(svc);
      this.work++;
      moved(this.ipam!.upsertService(v));
      // One key string for both (a new key is stored as given; an existing one is kept).
      this.seenServices.set(v.key, serviceInputs(svc));
      return;
    }
    const v = serviceView(svc);
    const fp = serviceFingerprint(v);
    if (seen !== fp) {
      this.work++;
      moved(this.ipam!.upsertService(v));
      this.seenServices.set(v.key, fp);
    }
  }

  /** Writes the status of every Service (or of those in `check`) that differs from its result. */
  private async writeStatuses(
    services: readonly ServiceObject[],
    check: Set<string> | undefined,
  ): Promise<void> {
    const ipam = this.ipam!;
    let todo: string[] = [];
    if (check) {
      for (const key of check) {
        const svc = this.feed?.service(key);
        const r = ipam.result(key);
        if (svc && r && !statusMatches(svc, r)) todo.push(key);
      }
    } else {
      for (const svc of services) {
        const key = serviceKey(svc);
        const r = ipam.result(key);
        if (r && !statusMatches(svc, r)) todo.push(key);
      }
    }
    if (todo.length === 0) return;
    const byKey = this.feed ? undefined : new Map(services.map((s) => [serviceKey(s), s]));
    /** The freshest version (fewer conflicts). */
    const current = (key: string) => (this.feed ? this.feed.service(key) : byKey!.get(key));
    // An IP moving from one Service to another must leave the first one's status before it
    // enters the second's: if the release fails (500, partition, crash) the API would show one IP
    // on two incompatible Services, and a new leader restoring from it could move the wrong one.
    // So writes go in rounds: a write that adds an IP still in another Service's status (one that
    // no longer gets it) waits until that Service's release is written in an earlier round; if
    // that release fails, the write is left for the pass the release's success will trigger.
    // Who holds an IP in status that its result no longer has: its status differs from its
    // result, so it is itself in `todo` (a change, a moved result or a failed write puts a
    // Service in `check`; a full pass checks all). Indexing `todo` is enough, and O(todo).
    const index = new Map<string, string | string[]>();
    for (const key of todo) {
      const svc = current(key);
      if (svc) indexStatus(index, key, svc);
    }
    const holders = (ip: string) => holdersIn(index, ip);
    const released = new Set<string>();
    const attempted = new Set<string>();
    /** Services whose release must be written before this write. */
    const blockers = (key: string): string[] => {
      const svc = current(key);
      const r = ipam.result(key);
      if (!svc || !r?.ok) return [];
      const had = statusIPs(svc);
      const out: string[] = [];
      for (const ip of r.ips) {
        if (had.includes(ip)) continue;
        for (const other of holders(ip)) {
          if (other === key || released.has(other)) continue;
          const o = ipam.result(other);
          if (!(o?.ok && o.ips.includes(ip))) out.push(other);
        }
      }
      return out;
    };
    const max = this.o.maxWritesPerPass ?? MAX_WRITES_PER_PASS;
    if (todo.length > max) {
      // A burst (10,000 new Services): write a slice, then let the next pass announce what its
      // echoes show before writing more, so routes follow progressively and no single pass
      // handles every Service at once. Every Service involved in an IP move (a blocked write
      // and what blocks it) stays in this slice, so the release order above is kept.
      const involved = new Set<string>();
      for (const k of todo) {
        const b = blockers(k);
        if (b.length === 0) continue;
        involved.add(k);
        for (const x of b) involved.add(x);
      }
      const slice: string[] = [];
      let free = 0;
      for (const k of todo) {
        if (involved.has(k)) slice.push(k);
        else if (free < max) {
          slice.push(k);
          free++;
        } else this.recheck.add(k);
      }
      this.again = true;
      todo = slice;
    }
    // The common case, no IP moving between Services (a burst of new ones, one new Service):
    // one round, and no per-Service bookkeeping held while thousands of writes are in flight.
    if (index.size === 0 || !todo.some((k) => blockers(k).length > 0)) {
      await this.writeRound(todo, current);
      return;
    }
    let pending = todo;
    while (pending.length > 0 && !this.stopped && this.o.source.leadership.isLeader()) {
      let round = pending.filter((k) => blockers(k).length === 0);
      if (round.length === 0) {
        // A release that failed this pass blocks for real (the next pass retries). Only a cycle
        // (A takes B's IP while B takes A's) blocks on writes never tried: waiting would block it
        // for ever, so those go unordered, as before.
        round = pending.filter((k) => blockers(k).every((b) => !attempted.has(b)));
        if (round.length === 0) break;
        this.o.log.info('IPs swap between Services: writing their statuses unordered', { services: round });
      }
      for (const k of round) attempted.add(k);
      const inRound = new Set(round);
      pending = round.length === pending.length ? [] : pending.filter((k) => !inRound.has(k));
      await this.writeRound(round, current, (k) => released.add(k));
    }
    // Not written (blocked, leadership lost, stopped): compared again on the next pass (a new
    // leader restores and compares everything anyway).
    for (const k of pending) this.recheck.add(k);
  }

  /** Writes one round of Service statuses concurrently; `written` hears of each success. */
  private async writeRound(
    todo: string[],
    current: (key: string) => ServiceObject | undefined,
    written?: (key: string) => void,
  ): Promise<void> {
    const writer = this.o.source.writer;
    const limit = this.o.writeConcurrency ?? WRITE_CONCURRENCY;
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !this.stopped && this.o.source.leadership.isLeader()) {
        const key = todo[next++]!;
        const svc = current(key);
        const r = this.ipam?.result(key);
        if (!svc || !r) continue;
        const before = statusIPs(svc);
        const ips = r.ok ? r.ips : [];
        try {
          await writer.writeServiceStatus(svc, {
            ips,
            condition: {
              type: SERVICE_CONDITION,
              status: r.ok ? 'True' : 'False',
              reason: r.ok ? 'Allocated' : reasonName(r.reason),
              message: r.message,
              ...(svc.metadata.generation !== undefined
                ? { observedGeneration: svc.metadata.generation }
                : {}),
            },
          });
        } catch (err) {
          this.recheck.add(key);
          this.o.log.warn('cannot write Service status', {
            service: key,
            error: (err as Error).message,
          });
          continue;
        }
        written?.(key);
        this.work++;
        this.writes++;
        if (this.writes >= 2 * (this.o.collectAfter ?? 1000)) {
          this.writes = 0;
          (this.o.collect ?? defaultCollect(false))?.();
        }
        this.record(svc, r, before);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, todo.length) }, worker));
    for (let i = next; i < todo.length; i++) this.recheck.add(todo[i]!);
  }

  private record(svc: ServiceObject, r: ServiceResult, before: string[]): void {
    const key = serviceKey(svc);
    const writer = this.o.source.writer;
    if (r.ok) {
      if (r.ips.join(',') !== before.join(',')) {
        this.m.allocations.inc();
        this.o.log.info('allocated', { service: key, ips: r.ips, pool: r.pool });
        writer.event(svc, 'Allocated', 'Normal', `Assigned ${r.ips.join(', ')} from pool ${r.pool}`);
      }
      if (r.replaced)
        writer.event(svc, 'Conflict', 'Warning', `Replaced ${r.replaced.ips.join(', ')}: ${r.replaced.why}`);
      return;
    }
    this.m.errors.inc({ reason: r.reason });
    this.o.log.warn('no IP for Service', { service: key, reason: r.reason, message: r.message });
    if (before.length > 0)
      writer.event(svc, 'Released', 'Warning', `Released ${before.join(', ')}: ${r.message}`);
    writer.event(svc, eventKind(r.reason), 'Warning', r.message);
  }

  private async writePools(objects: ValidObjects): Promise<void> {
    const results = new Map(this.ipam!.pools().map((p) => [p.name, poolResult(p)]));
    this.m.poolIPs.remove();
    for (const pool of objects.pools) {
      const r = results.get(pool.metadata.name);
      if (!r) continue;
      this.m.poolIPs.set({ pool: r.name, state: 'total' }, Number(r.total));
      this.m.poolIPs.set({ pool: r.name, state: 'used' }, Number(r.used));
      this.m.poolIPs.set({ pool: r.name, state: 'available' }, Number(r.available));
      try {
        await this.o.source.writer.writePoolStatus(pool, {
          conditions: r.conditions,
          ipsTotal: r.total,
          ipsUsed: r.used,
          ipsAvailable: r.available,
        });
      } catch (err) {
        this.o.log.warn('cannot write pool status', { pool: r.name, error: (err as Error).message });
      }
    }
    for (const [pool, problems] of objects.invalidPools) {
      try {
        await this.o.source.writer.writePoolStatus(pool, {
          conditions: [{ type: 'Ready', status: 'False', reason: 'Invalid', message: problems.join('; ') }],
          ipsTotal: '0',
          ipsUsed: '0',
          ipsAvailable: '0',
        });
      } catch (err) {
        this.o.log.warn('cannot write pool status', {
          pool: pool.metadata.name,
          error: (err as Error).message,
        });
      }
    }
    for (const policy of objects.policies) {
      await this.o.source.writer
        .writePolicyStatus(policy, {
          type: 'Valid',
          status: 'True',
          reason: 'Valid',
          message: 'Policy is valid',
        })
        .catch(() => {});
    }
    for (const [policy, problems] of objects.invalidPolicyObjects) {
      await this.o.source.writer
        .writePolicyStatus(policy, {
          type: 'Valid',
          status: 'False',
          reason: 'Invalid',
          message: problems.join('; '),
        })
        .catch(() => {});
    }
  }

  private announce(observed: ObservedState): void {
    const speaker = this.o.speaker();
    // A feed source replaces its snapshot on every change: the same one plans the same.
    if (this.feed && observed === this.plannedFrom && speaker === this.plannedFor && this.lastPlan) return;
    const node = observed.node;
    const objects = this.lastObjects ?? validObjects(observed);
    const plan = planAnnouncements({
      nodeName: this.o.nodeName,
      nodeLabels: node?.metadata.labels ?? {},
      policies: objects.policies,
      services: observed.services,
      endpointSlices: observed.endpointSlices,
      secrets: observed.secrets,
      defaultSecretNamespace: this.o.defaultSecretNamespace,
    });
    const before = this.lastPlan;
    const sameSpeaker = speaker === this.plannedFor;
    this.lastPlan = plan;
    this.plannedFrom = observed;
    this.plannedFor = speaker;
    if (!speaker) return;
    speaker.setPeers(plan.peers);
    // The speaker re-reads every prefix on each call: skip the call when nothing moved.
    if (sameSpeaker && before && sameAdverts(before.advertisements, plan.advertisements)) return;
    speaker.setAdvertisements(plan.advertisements);
  }
}

function sameAdverts(a: Map<string, string[]>, b: Map<string, string[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, x] of a) {
    const y = b.get(id);
    if (!y || y.length !== x.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** Adds a Service's status IPs to an IP -> keys index. */
function indexStatus(index: Map<string, string | string[]>, key: string, svc: ServiceObject): void {
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    const ip = ing.ip;
    if (!ip) continue;
    const cur = index.get(ip);
    if (cur === undefined) index.set(ip, key);
    else if (typeof cur === 'string') {
      if (cur !== key) index.set(ip, [cur, key]);
    } else if (!cur.includes(key)) cur.push(key);
  }
}

function holdersIn(index: Map<string, string | string[]>, ip: string): readonly string[] {
  const cur = index.get(ip);
  return cur === undefined ? [] : typeof cur === 'string' ? [cur] : cur;
}

/** Status already says what the result says (no allocation: runs for every Service in a full pass). */
function statusMatches(svc: ServiceObject, r: ServiceResult): boolean {
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const want = r.ok ? r.ips : [];
  let n = 0;
  for (const ing of ingress) {
    if (!ing.ip) continue;
    if (want[n] !== ing.ip) return false;
    n++;
  }
  if (n !== want.length) return false;
  const c = svc.status?.conditions?.find((x) => x.type === SERVICE_CONDITION);
  if (!c) return false;
  const reason = r.ok ? 'Allocated' : reasonName(r.reason);
  return c.status === (r.ok ? 'True' : 'False') && c.reason === reason && c.message === r.message;
}

/** Condition reasons are CamelCase in Kubernetes: "pool-exhausted" -> "PoolExhausted". */
export function reasonName(reason: string): string {
  return reason
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function eventKind(reason: string): EventKind {
  if (reason === 'invalid-request' || reason === 'no-pool-for-ip') return 'InvalidRequest';
  if (reason === 'ip-in-use' || reason === 'sharing-conflict') return 'Conflict';
  return 'AllocationFailed';
}
