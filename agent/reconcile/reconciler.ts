/**
 * The single serial loop: observed state -> IPAM (on the leader) -> Service/pool status,
 * then, on every node, desired announcements -> the BGP speaker. Every IPAM change happens
 * here, in order; triggers that arrive while a pass runs coalesce into one more pass.
 */
import { type ServiceObject, serviceKey } from '../api/core.ts';
import { SERVICE_CONDITION } from '../api/v1alpha1.ts';
import { Ipam } from '../ipam/allocator.ts';
import type { PoolResult, ServiceResult } from '../ipam/types.ts';
import type { Clock, Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Registry } from '../lib/metrics.ts';
import type { EventKind, ObservedState, Source } from '../source/types.ts';
import { type AnnouncePlan, type PeerPlan, planAnnouncements } from './plan/announce.ts';
import { poolFingerprint, poolSpec, serviceFingerprint, serviceView, statusIPs } from './plan/to-domain.ts';
import { type ValidObjects, validObjects } from './plan/valid-objects.ts';

/** The part of the BGP speaker the loop drives. */
export interface SpeakerPort {
  setPeers(peers: PeerPlan[]): void;
  setAdvertisements(desired: Map<string, string[]>): void;
}

export interface ReconcilerOptions {
  source: Source;
  /** Created by the caller once the router ID is known; undefined until then. */
  speaker: () => SpeakerPort | undefined;
  nodeName: string;
  defaultSecretNamespace: string;
  clock: Clock;
  log: Logger;
  metrics: Registry;
  debounceMs?: number;
  /** Concurrent status writes on the leader. */
  writeConcurrency?: number;
}

const WRITE_CONCURRENCY = 8;

export class Reconciler {
  private ipam: Ipam | undefined;
  private seenPools = new Map<string, string>();
  private seenServices = new Map<string, string>();
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastPlan: AnnouncePlan | undefined;
  private lastObjects: ValidObjects | undefined;
  private passes = 0;
  private readonly m;

  constructor(private readonly o: ReconcilerOptions) {
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
      }
    })();
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
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
    return this.ipam?.pools() ?? [];
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
    const objects = validObjects(observed);
    this.lastObjects = objects;
    if (this.o.source.leadership.isLeader()) {
      this.m.leader.set({}, 1);
      await this.allocate(observed, objects);
    } else {
      if (this.ipam)
        this.o.log.info('no longer leader: dropping IPAM state; it is rebuilt from status on the next lead');
      this.ipam = undefined;
      this.m.leader.set({}, 0);
    }
    this.announce(this.o.source.observe());
  }

  private async allocate(observed: ObservedState, objects: ValidObjects): Promise<void> {
    const pools = objects.pools.map(poolSpec);
    const views = observed.services.map(serviceView);
    if (!this.ipam) {
      // Restore before allocating: every IP already in status is imported first.
      this.ipam = new Ipam();
      this.ipam.restore(pools, views);
      this.seenPools = new Map(pools.map((p) => [p.name, poolFingerprint(p)]));
      this.seenServices = new Map(views.map((v) => [v.key, serviceFingerprint(v)]));
      this.o.log.info('leading: IPAM restored from status', { services: views.length, pools: pools.length });
    } else {
      const ipam = this.ipam;
      const poolNames = new Set(pools.map((p) => p.name));
      for (const name of [...this.seenPools.keys()]) {
        if (!poolNames.has(name)) {
          ipam.deletePool(name);
          this.seenPools.delete(name);
        }
      }
      for (const p of pools) {
        const fp = poolFingerprint(p);
        if (this.seenPools.get(p.name) !== fp) {
          ipam.upsertPool(p);
          this.seenPools.set(p.name, fp);
        }
      }
      const keys = new Set(views.map((v) => v.key));
      for (const key of [...this.seenServices.keys()]) {
        if (!keys.has(key)) {
          ipam.deleteService(key);
          this.seenServices.delete(key);
        }
      }
      for (const v of views) {
        const fp = serviceFingerprint(v);
        if (this.seenServices.get(v.key) !== fp) {
          ipam.upsertService(v);
          this.seenServices.set(v.key, fp);
        }
      }
    }
    await this.writeStatuses(observed.services);
    await this.writePools(objects);
  }

  private async writeStatuses(services: readonly ServiceObject[]): Promise<void> {
    const ipam = this.ipam!;
    const todo: { svc: ServiceObject; r: ServiceResult }[] = [];
    for (const svc of services) {
      const r = ipam.result(serviceKey(svc));
      if (r && !statusMatches(svc, r)) todo.push({ svc, r });
    }
    // An IP moving from one Service to another must leave the first one's status before it
    // enters the second's: if the release fails (500, partition, crash) the API would show one IP
    // on two incompatible Services, and a new leader restoring from it could move the wrong one.
    // So writes go in rounds: a write that adds an IP still in another Service's status (one that
    // no longer gets it) waits until that Service's release is written in an earlier round; if
    // that release fails, the write is left for the pass the release's success will trigger.
    const holders = new Map<string, string[]>();
    for (const svc of services)
      for (const ip of statusIPs(svc)) {
        const l = holders.get(ip);
        if (l) l.push(serviceKey(svc));
        else holders.set(ip, [serviceKey(svc)]);
      }
    const released = new Set<string>();
    const attempted = new Set<string>();
    /** Services whose release must be written before this write. */
    const blockers = ({ svc, r }: { svc: ServiceObject; r: ServiceResult }): string[] => {
      const key = serviceKey(svc);
      const had = statusIPs(svc);
      const out: string[] = [];
      for (const ip of r.ok ? r.ips : []) {
        if (had.includes(ip)) continue;
        for (const other of holders.get(ip) ?? []) {
          if (other === key || released.has(other)) continue;
          const o = ipam.result(other);
          if (!(o?.ok && o.ips.includes(ip))) out.push(other);
        }
      }
      return out;
    };
    let pending = todo;
    while (pending.length > 0 && !this.stopped && this.o.source.leadership.isLeader()) {
      let round = pending.filter((x) => blockers(x).length === 0);
      if (round.length === 0) {
        // A release that failed this pass blocks for real (the next pass retries). Only a cycle
        // (A takes B's IP while B takes A's) blocks on writes never tried: waiting would block it
        // for ever, so those go unordered, as before.
        round = pending.filter((x) => blockers(x).every((k) => !attempted.has(k)));
        if (round.length === 0) break;
        this.o.log.info('IPs swap between Services: writing their statuses unordered', {
          services: round.map((x) => serviceKey(x.svc)),
        });
      }
      for (const x of round) attempted.add(serviceKey(x.svc));
      pending = pending.filter((x) => !round.includes(x));
      const done = await this.writeRound(round);
      for (const key of done) released.add(key);
    }
  }

  /** Writes one round of Service statuses concurrently; returns the keys written. */
  private async writeRound(todo: { svc: ServiceObject; r: ServiceResult }[]): Promise<string[]> {
    const done: string[] = [];
    const writer = this.o.source.writer;
    const limit = this.o.writeConcurrency ?? WRITE_CONCURRENCY;
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !this.stopped && this.o.source.leadership.isLeader()) {
        const { svc, r } = todo[next++]!;
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
          this.o.log.warn('cannot write Service status', {
            service: serviceKey(svc),
            error: (err as Error).message,
          });
          continue;
        }
        done.push(serviceKey(svc));
        this.record(svc, r, before);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, todo.length) }, worker));
    return done;
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
    const results = new Map(this.ipam!.pools().map((p) => [p.name, p]));
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
    this.lastPlan = plan;
    const speaker = this.o.speaker();
    if (!speaker) return;
    speaker.setPeers(plan.peers);
    speaker.setAdvertisements(plan.advertisements);
  }
}

function statusMatches(svc: ServiceObject, r: ServiceResult): boolean {
  const ips = statusIPs(svc);
  const want = r.ok ? r.ips : [];
  if (ips.join(',') !== want.join(',')) return false;
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
