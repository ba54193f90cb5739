/**
 * The single serial loop: observe -> allocate (on the leader: IPAM) -> publish (on the leader:
 * Service, pool and policy status) -> announce (on every node: the BGP speaker, and L2 mode's
 * ownership candidates). Every IPAM
 * change happens here, in order; triggers that arrive while a pass runs coalesce into one more
 * pass (lib/serial-loop.ts).
 *
 * Incremental when the source is a ServiceChangeFeed (the Kubernetes source): a pass looks
 * only at the Services whose keys changed since the last one (plus those whose IPAM result
 * the changes moved, and failed writes). Every `fullResyncMs` (and whenever the feed says
 * 'all': first sync, a relist) a full pass compares every Service and checks every status, as
 * a safety net. Other sources (files mode, tests that edit objects in place) get a full pass
 * each time, with fingerprints.
 */
import type { ServiceResult } from '../ipam/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Registry } from '../lib/metrics.ts';
import { SerialLoop } from '../lib/serial-loop.ts';
import type { ObservedState, Source } from '../source/types.ts';
import { Allocator, type Changes } from './allocate.ts';
import { Announcer, type BfdPort, type SpeakerPort } from './announcer.ts';
import { AttributeConditions } from './attribute-conditions.ts';
import { Collector } from './collector.ts';
import { PassTimers } from './pass-timers.ts';
import type { AnnouncePlan } from './plan/announce.ts';
import { NODE_REASONS, type NodeWithhold, nodeWithholds } from './plan/node-state.ts';
import { type PoolResult, poolResult } from './plan/pool-conditions.ts';
import { ipamPoolSpec } from './plan/to-domain.ts';
import { type ValidObjects, validObjects } from './plan/valid-objects.ts';
import { feedOf, type ServiceChangeFeed } from './service-feed.ts';
import { StatusPublisher } from './status-publisher.ts';

export interface ReconcilerOptions {
  source: Source;
  /** Created by the caller once the router ID is known; undefined until then. */
  speaker: () => SpeakerPort | undefined;
  /** L2 mode (l2-announcer.ts), told every pass what the policies select; absent = no L2. */
  l2?: { update(observed: ObservedState, objects: ValidObjects): void };
  /** BFD sessions for neighbors that name a BFDProfile (absent: BFD not wired). */
  bfd?: BfdPort;
  nodeName: string;
  defaultSecretNamespace: string;
  /**
   * This node's state beyond its Node object (plan/node-state.ts): drained, shutting down, and
   * whether a cordon withdraws (absent: none of them, cordon withdraws).
   */
  nodeState?: () => NodeStateFlags;
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

export interface NodeStateFlags {
  drained: boolean;
  shuttingDown: boolean;
  withdrawWhenCordoned: boolean;
}

const NO_FLAGS: NodeStateFlags = { drained: false, shuttingDown: false, withdrawWhenCordoned: true };

const DEBOUNCE_MS = 10;
/** Passes run back to back before a burst yields to the debounce. */
const MAX_PASSES = 100;
const WRITE_CONCURRENCY = 8;
/** Retrying failed status writes: 0.5 s, 1 s, 2 s ... up to 30 s, with jitter. */
const RETRY_BACKOFF = { baseMs: 500, capMs: 30_000, jitter: 0.2 };
const FULL_RESYNC_MS = 5 * 60_000;
/** No slicing by default: the speaker re-reads every prefix per call, so slices cost more than they save. */
const MAX_WRITES_PER_PASS = Number.POSITIVE_INFINITY;

export class Reconciler {
  private readonly feed: ServiceChangeFeed | undefined;
  private readonly loop: SerialLoop;
  private readonly collector: Collector;
  private readonly allocator: Allocator;
  private readonly publisher: StatusPublisher;
  private readonly announcer: Announcer;
  private readonly attributeConditions: AttributeConditions;
  private readonly timers: PassTimers;
  private lastObjects: ValidObjects | undefined;
  private passes = 0;
  private readonly m;

  constructor(private readonly o: ReconcilerOptions) {
    this.feed = feedOf(o.source);
    // Registered in the order /metrics lists them.
    const leader = o.metrics.gauge(
      'edgelb_leader',
      '1 while this node holds the leader Lease and allocates, else 0.',
    );
    this.loop = new SerialLoop({
      clock: o.clock,
      pass: () => this.pass(),
      debounceMs: o.debounceMs ?? DEBOUNCE_MS,
      maxPasses: MAX_PASSES,
      onError: (err) => o.log.error('reconcile pass failed', { error: err.message }),
      retry: {
        backoff: RETRY_BACKOFF,
        random: o.random ?? (() => 0.5),
        // Failed status writes (API errors, a partition) are retried even if nothing else
        // changes; without this they would wait for the next event or the periodic full pass.
        needed: () => this.publisher.needsRetry && o.source.leadership.isLeader(),
      },
      afterRun: () => {
        if (!this.loop.isStopped) this.collector.whenQuiet(() => this.loop.isRunning || this.loop.isStopped);
      },
    });
    this.timers = new PassTimers({
      clock: o.clock,
      trigger: () => this.trigger(),
      isStopped: () => this.loop.isStopped,
    });
    this.collector = new Collector({
      clock: o.clock,
      ...(o.collect ? { collect: o.collect } : {}),
      ...(o.collectAfter !== undefined ? { after: o.collectAfter } : {}),
      ...(o.collectDelayMs !== undefined ? { delayMs: o.collectDelayMs } : {}),
    });
    this.allocator = new Allocator(this.feed, o.log, this.collector, o.source.leadership, o.clock);
    this.attributeConditions = new AttributeConditions(o.source.writer, o.log);
    this.publisher = new StatusPublisher({
      source: o.source,
      feed: this.feed,
      log: o.log,
      metrics: o.metrics,
      collector: this.collector,
      loop: this.loop,
      writeConcurrency: o.writeConcurrency ?? WRITE_CONCURRENCY,
      maxWritesPerPass: o.maxWritesPerPass ?? MAX_WRITES_PER_PASS,
      current: () => this.allocator.current,
    });
    this.m = { leader, passes: o.metrics.counter('edgelb_reconcile_passes_total', 'Reconcile passes run.') };
    this.m.leader.set({}, 0);
    o.metrics.collect(
      'edgelb_node_withheld',
      '1 while this node announces nothing for this reason (NodeDrained, NodeShuttingDown, NodeExcluded, NodeCordoned).',
      'gauge',
      () => {
        const now = new Set<string>(this.withholds().map((w) => w.reason));
        return Object.values(NODE_REASONS).map((reason) => ({
          labels: { reason },
          value: now.has(reason) ? 1 : 0,
        }));
      },
    );
    this.announcer = new Announcer({
      speaker: o.speaker,
      nodeName: o.nodeName,
      defaultSecretNamespace: o.defaultSecretNamespace,
      snapshots: this.feed !== undefined,
      ...(o.bfd ? { bfd: o.bfd } : {}),
    });
  }

  /** Asks for a pass soon; many triggers in a burst make one pass. */
  trigger(): void {
    this.loop.trigger();
  }

  /** Runs one pass now (and the coalesced follow-up, if any). Resolves when idle. */
  runNow(): Promise<void> {
    return this.loop.runNow();
  }

  stop(): void {
    this.loop.stop();
    this.timers.stop();
    this.collector.stop();
  }

  get isIdle(): boolean {
    return this.loop.isIdle;
  }

  get passCount(): number {
    return this.passes;
  }

  results(): ServiceResult[] {
    return this.allocator.current?.results() ?? [];
  }

  poolResults(): PoolResult[] {
    return this.allocator.current?.pools().map(poolResult) ?? [];
  }

  plan(): AnnouncePlan | undefined {
    return this.announcer.plan();
  }

  /** Why this node announces nothing now (empty: it announces), from its Node and its flags. */
  withholds(): NodeWithhold[] {
    return nodeWithholds({ node: this.o.source.observe().node, ...(this.o.nodeState?.() ?? NO_FLAGS) });
  }

  /** Problems with policies or pools (validation, secrets, conflicts), for /status. */
  problems(): string[] {
    const out: string[] = [];
    for (const [pool, list] of this.lastObjects?.invalidPools ?? [])
      out.push(`pool ${pool.metadata.name}: ${list.join('; ')}`);
    for (const [name, list] of this.lastObjects?.invalidPolicies ?? [])
      out.push(`policy ${name}: ${list.join('; ')}`);
    for (const [p, list] of this.lastObjects?.invalidL2PolicyObjects ?? [])
      out.push(`L2AnnouncementPolicy ${p.metadata?.name ?? '(unnamed)'}: ${list.join('; ')}`);
    for (const [name, list] of this.announcer.plan()?.problems ?? [])
      for (const p of list) out.push(`policy ${name}: ${p}`);
    return out;
  }

  private async pass(): Promise<void> {
    this.passes++;
    this.m.passes.inc();
    // observe
    const observed = this.o.source.observe();
    if (!observed.synced) return;
    const changes = this.takeChanges();
    const objects = validObjects(observed);
    this.lastObjects = objects;
    if (this.o.source.leadership.isLeader()) {
      this.m.leader.set({}, 1);
      // allocate
      const check = this.allocator.sync(
        observed,
        objects.pools.map((p) => ipamPoolSpec(p, observed.namespaces)),
        changes,
        this.publisher.takeRechecks(),
      );
      const ipam = this.allocator.current!;
      // publish
      await this.publisher.publishServices(ipam, observed.services, check);
      await this.publisher.publishObjects(ipam, objects, observed.bfdProfiles);
      await this.o.source.writer.flush?.();
      await this.attributeConditions.publish(observed.services, objects.policies, objects.pools);
      this.timers.holdUntil(ipam.nextHoldExpiry());
      // Leadership ended during the writes: drop the state now, not at the next pass (which,
      // were leadership regained by then, would otherwise build on it).
      if (!this.allocator.current) this.lostLead();
    } else {
      this.lostLead();
    }
    // announce (what the source says now: the writes above may have changed it)
    const now = this.o.source.observe();
    const withheld = nodeWithholds({ node: now.node, ...(this.o.nodeState?.() ?? NO_FLAGS) });
    this.announcer.announce(now, objects, withheld);
    // A withheld node gives its L2 IPs away: no policy here, so it stops answering and releases its heartbeat.
    this.o.l2?.update(now, withheld.length ? { ...objects, l2Policies: [] } : objects);
  }

  private lostLead(): void {
    this.allocator.drop();
    this.attributeConditions.clear();
    this.publisher.clear();
    this.m.leader.set({}, 0);
  }

  /**
   * The Services changed since the last pass; 'all' for a full pass. Taken only once synced:
   * changes that arrive during this pass are the next pass's.
   */
  private takeChanges(): Changes {
    let changes: Changes = this.feed ? this.feed.takeServiceChanges() : 'all';
    const resyncMs = this.o.fullResyncMs ?? FULL_RESYNC_MS;
    if (this.feed && this.timers.fullDue(resyncMs)) changes = 'all';
    if (changes === 'all') this.timers.fullDone(resyncMs, this.feed !== undefined);
    else this.collector.noteChanges(changes.size);
    return changes;
  }
}
