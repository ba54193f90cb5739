/**
 * The publish step, on the leader: writes the Service statuses that differ from the IPAM's
 * results (releases before claims, see plan/write-order.ts), records their Events, and writes
 * pool and policy statuses. A failed write is logged, counted, and retried with backoff by the
 * loop (`needsRetry`): a Service is compared again on the next pass; pools and policies are
 * written on every pass anyway.
 */
import type { BFDProfile } from '../api/bfd-profile.ts';
import { type ServiceObject, serviceKey } from '../api/core.ts';
import { blocksSummary } from '../api/pool.ts';
import type { Ipam } from '../ipam/ipam.ts';
import type { ServiceResult } from '../ipam/types.ts';
import type { Logger } from '../lib/log.ts';
import type { Registry } from '../lib/metrics.ts';
import type { Source } from '../source/types.ts';
import type { Collector } from './collector.ts';
import { bfdProfileCondition, profilesByName } from './plan/bfd-profiles.ts';
import { heldStatus } from './plan/held-status.ts';
import { poolResult } from './plan/pool-conditions.ts';
import { failureReason } from './plan/reasons.ts';
import { serviceEvents, serviceStatus, statusMatches } from './plan/service-status.ts';
import { statusIPs } from './plan/to-domain.ts';
import type { ValidObjects } from './plan/valid-objects.ts';
import { WriteOrder } from './plan/write-order.ts';
import {
  clearLeaderGauges,
  clearPoolGauges,
  countWithoutIP,
  type PublisherMetrics,
  publisherMetrics,
  setInvalidGauges,
  setPoolGauges,
} from './publisher-metrics.ts';
import type { ServiceChangeFeed } from './service-feed.ts';

export interface PublisherOptions {
  source: Source;
  feed: ServiceChangeFeed | undefined;
  log: Logger;
  metrics: Registry;
  collector: Collector;
  /** The loop: stopped, and "run one more pass" (a burst is written in slices). */
  loop: { readonly isStopped: boolean; passAgain(): void };
  writeConcurrency: number;
  maxWritesPerPass: number;
  /**
   * The IPAM of the current leadership term (default: any). Writes stop as soon as it is no
   * longer the one being published: results of an ended term are never written, even when
   * this node leads again by the time the write would go out.
   */
  current?: () => Ipam | undefined;
}

type WriteKind = 'service' | 'pool' | 'policy' | 'l2policy';

export class StatusPublisher {
  /** Keys whose status must be compared with the IPAM's result on the next pass (failed writes). */
  private recheck = new Set<string>();
  /** A pool or policy status write failed in the last pass. */
  private otherFailed = false;
  private readonly m: PublisherMetrics;

  constructor(private readonly o: PublisherOptions) {
    this.m = publisherMetrics(o.metrics);
  }

  /** The failed writes to compare again; the set starts afresh. */
  takeRechecks(): ReadonlySet<string> {
    const out = this.recheck;
    this.recheck = new Set();
    return out;
  }

  /** Not leading: nothing to retry, and the leader's figures are another node's to report. */
  clear(): void {
    this.recheck = new Set();
    this.otherFailed = false;
    clearLeaderGauges(this.m);
  }

  get needsRetry(): boolean {
    return this.recheck.size > 0 || this.otherFailed;
  }

  private get writing(): boolean {
    return !this.o.loop.isStopped && this.o.source.leadership.isLeader();
  }

  private failed(kind: WriteKind, what: Record<string, string>, err: unknown): void {
    this.m.writeErrors.inc({ kind });
    this.o.log.warn(`cannot write ${kind === 'service' ? 'Service' : kind} status`, {
      ...what,
      error: (err as Error).message,
    });
  }

  /** Writes the status of every Service (or of those in `check`) that differs from its result. */
  async publishServices(
    ipam: Ipam,
    services: readonly ServiceObject[],
    check: Set<string> | undefined,
  ): Promise<void> {
    const todo: string[] = [];
    if (check) {
      for (const key of check) {
        const svc = this.o.feed?.service(key);
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
    const feed = this.o.feed;
    const byKey = feed ? undefined : new Map(services.map((s) => [serviceKey(s), s]));
    /** The freshest version (fewer conflicts). */
    const current = (key: string) => (feed ? feed.service(key) : byKey!.get(key));
    const order = new WriteOrder(todo, {
      statusIPs: (key) => {
        const svc = current(key);
        return svc && statusIPs(svc);
      },
      resultIPs: (key) => {
        const r = ipam.result(key);
        return r?.ok ? r.ips : undefined;
      },
    });
    // A burst (10,000 new Services): write a slice, then let the next pass announce what its
    // echoes show before writing more, so routes follow progressively.
    const later = order.limit(this.o.maxWritesPerPass);
    if (later) {
      for (const k of later) this.recheck.add(k);
      this.o.loop.passAgain();
    }
    // The common case, no IP moving between Services (a burst of new ones, one new Service):
    // one round, and no per-Service bookkeeping held while thousands of writes are in flight.
    if (order.unblocked) {
      await this.writeRound(ipam, order.left, current);
      return;
    }
    while (order.left.length > 0 && this.writing) {
      const round = order.next();
      if (!round) break;
      if (round.unordered)
        this.o.log.info('IPs swap between Services: writing their statuses unordered', {
          services: round.keys,
        });
      await this.writeRound(ipam, round.keys, current, (k) => order.written(k));
    }
    // Not written (blocked, leadership lost, stopped): compared again on the next pass (a new
    // leader restores and compares everything anyway).
    for (const k of order.left) this.recheck.add(k);
  }

  /** Writes one round of Service statuses concurrently; `written` hears of each success. */
  private async writeRound(
    ipam: Ipam,
    todo: readonly string[],
    current: (key: string) => ServiceObject | undefined,
    written?: (key: string) => void,
  ): Promise<void> {
    const writer = this.o.source.writer;
    let next = 0;
    const worker = async () => {
      while (next < todo.length && this.writing && this.isCurrent(ipam)) {
        const key = todo[next++]!;
        const svc = current(key);
        const r = ipam.result(key);
        if (!svc || !r) continue;
        const before = statusIPs(svc);
        try {
          await writer.writeServiceStatus(svc, serviceStatus(svc, r));
        } catch (err) {
          this.recheck.add(key);
          this.failed('service', { service: key }, err);
          continue;
        }
        written?.(key);
        this.o.collector.noteWrite();
        this.record(svc, r, before);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.writeConcurrency, todo.length) }, worker));
    for (let i = next; i < todo.length; i++) this.recheck.add(todo[i]!);
  }

  private isCurrent(ipam: Ipam): boolean {
    return this.o.current ? this.o.current() === ipam : true;
  }

  /** Logs, counts and records the Events of a written result. */
  private record(svc: ServiceObject, r: ServiceResult, before: string[]): void {
    const key = serviceKey(svc);
    if (r.ok) {
      if (r.ips.join(',') !== before.join(',')) {
        this.m.allocations.inc();
        this.o.log.info('allocated', { service: key, ips: r.ips, pool: r.pool });
      }
    } else {
      this.m.errors.inc({ reason: failureReason(r.reason) });
      this.o.log.warn('no IP for Service', { service: key, reason: r.reason, message: r.message });
    }
    for (const e of serviceEvents(r, before)) this.o.source.writer.event(svc, e.kind, e.type, e.message);
  }

  /** Pool figures (metrics and status) and the policies' validity. */
  async publishObjects(
    ipam: Ipam,
    objects: ValidObjects,
    bfdProfiles?: readonly BFDProfile[],
  ): Promise<void> {
    this.otherFailed = false;
    if (!this.isCurrent(ipam)) return;
    const writer = this.o.source.writer;
    const results = new Map(ipam.pools().map((p) => [p.name, poolResult(p)]));
    clearPoolGauges(this.m);
    for (const pool of objects.pools) {
      const r = results.get(pool.metadata.name);
      if (!r) continue;
      setPoolGauges(this.m, r);
      if (!this.isCurrent(ipam)) return;
      await this.write('pool', r.name, () =>
        writer.writePoolStatus(pool, {
          conditions: r.conditions,
          ipsTotal: r.total,
          ipsUsed: r.used,
          ipsAvailable: r.available,
          ...heldStatus(ipam, r.name),
          blocks: blocksSummary(pool.spec.blocks),
        }),
      );
    }
    countWithoutIP(this.m, ipam);
    setInvalidGauges(this.m, objects);
    for (const [pool, problems] of objects.invalidPools)
      await this.write('pool', pool.metadata.name, () =>
        writer.writePoolStatus(pool, {
          conditions: [{ type: 'Ready', status: 'False', reason: 'Invalid', message: problems.join('; ') }],
          ipsTotal: '0',
          ipsUsed: '0',
          ipsAvailable: '0',
          ...(Array.isArray(pool.spec?.blocks) ? { blocks: blocksSummary(pool.spec.blocks) } : {}),
        }),
      );
    for (const policy of objects.policies)
      await this.write('policy', policy.metadata.name, () =>
        writer.writePolicyStatus(policy, {
          type: 'Valid',
          status: 'True',
          reason: 'Valid',
          message: 'Policy is valid',
        }),
      );
    // A missing BFDProfile leaves the policy Valid: its neighbors run without BFD until it exists.
    const profiles = profilesByName(bfdProfiles);
    for (const policy of objects.policies) {
      const c = bfdProfileCondition(policy, profiles);
      if (c) await this.write('policy', policy.metadata.name, () => writer.writePolicyStatus(policy, c));
    }
    for (const [policy, problems] of objects.invalidPolicyObjects)
      await this.write('policy', policy.metadata.name, () =>
        writer.writePolicyStatus(policy, {
          type: 'Valid',
          status: 'False',
          reason: 'Invalid',
          message: problems.join('; '),
        }),
      );
    const writeL2 = writer.writeL2PolicyStatus?.bind(writer);
    if (!writeL2) return;
    for (const policy of objects.l2Policies)
      await this.write('l2policy', policy.metadata.name, () =>
        writeL2(policy, { type: 'Valid', status: 'True', reason: 'Valid', message: 'Policy is valid' }),
      );
    for (const [policy, problems] of objects.invalidL2PolicyObjects)
      await this.write('l2policy', policy.metadata.name, () =>
        writeL2(policy, { type: 'Valid', status: 'False', reason: 'Invalid', message: problems.join('; ') }),
      );
  }

  private async write(
    kind: 'pool' | 'policy' | 'l2policy',
    name: string,
    write: () => Promise<void>,
  ): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.otherFailed = true;
      this.failed(kind, { [kind]: name }, err);
    }
  }
}
