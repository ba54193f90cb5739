/**
 * The allocate step, on the leader: gives the IPAM what changed in the observed pools and
 * Services (restoring it from status first when this node starts leading), and tells which
 * Services' status may now differ from their result.
 *
 * Incremental with a ServiceChangeFeed: only the Services whose keys changed are looked at; a
 * change that only echoes a status write leaves the IPAM alone, its inputs comparing equal
 * without building a view. Without a feed (or when it says 'all') every Service is compared by
 * fingerprint.
 */
import { type ServiceObject, serviceKey } from '../api/core.ts';
import { Ipam } from '../ipam/ipam.ts';
import type { PoolSpec, ServiceResult } from '../ipam/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Leadership, ObservedState } from '../source/types.ts';
import type { Collector } from './collector.ts';
import { heldIn } from './plan/held-status.ts';
import {
  poolFingerprint,
  type ServiceInputs,
  sameInputs,
  serviceFingerprint,
  serviceInputs,
  serviceView,
} from './plan/to-domain.ts';
import type { ServiceChangeFeed } from './service-feed.ts';

export type Changes = ReadonlySet<string> | 'all';

export class Allocator {
  private ipam: Ipam | undefined;
  /** The leadership term the IPAM was built in. */
  private term = 0;
  private seenPools = new Map<string, string>();
  /**
   * Per Service key: what the IPAM was last given, as a fingerprint (full passes) or, with a
   * feed, as a small record sharing the object's labels, annotations and spec (no old version
   * of the object stays alive through it while its echo is pending).
   */
  private seenServices = new Map<string, string | ServiceInputs>();

  constructor(
    private readonly feed: ServiceChangeFeed | undefined,
    private readonly log: Logger,
    private readonly collector: Collector,
    private readonly leadership?: Leadership,
    private readonly clock?: Clock,
  ) {}

  /**
   * The IPAM while leading in the term it was built in; undefined from the moment that term
   * ends (even in the middle of a pass), so nothing reads allocations a new leader may change.
   */
  get current(): Ipam | undefined {
    if (this.ipam && this.leadership && !this.sameTerm()) return undefined;
    return this.ipam;
  }

  private sameTerm(): boolean {
    const l = this.leadership!;
    return l.isLeader() && (l.term?.() ?? 0) === this.term;
  }

  /** No longer leading: the IPAM is rebuilt from status on the next lead. */
  drop(): void {
    if (this.ipam)
      this.log.info('no longer leader: dropping IPAM state; it is rebuilt from status on the next lead');
    this.ipam = undefined;
    this.seenServices = new Map();
  }

  /**
   * Brings the IPAM in line with `observed`. Returns the keys whose status may differ from the
   * IPAM's result: `changes`, then `rechecks` (failed writes), then the results that moved;
   * undefined when all may.
   */
  sync(
    observed: ObservedState,
    pools: PoolSpec[],
    changes: Changes,
    rechecks: ReadonlySet<string>,
  ): Set<string> | undefined {
    // Built in an earlier term (lost and regained since, maybe inside one pass): start again.
    if (this.ipam && this.leadership && !this.sameTerm()) this.drop();
    if (!this.ipam) {
      this.restore(observed, pools);
      return undefined;
    }
    const ipam = this.ipam;
    const check = changes === 'all' ? undefined : new Set(changes);
    if (check) for (const k of rechecks) check.add(k);
    const moved = (results: ServiceResult[]) => {
      for (const r of results) check?.add(r.key);
    };
    moved(ipam.expireHolds());
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
          this.delete(ipam, key, moved);
          this.seenServices.delete(key);
        }
      }
      for (const svc of observed.services) this.upsert(ipam, svc, moved);
    } else {
      const feed = this.feed!;
      for (const key of changes) {
        const svc = feed.service(key);
        if (svc) this.upsert(ipam, svc, moved);
        else if (this.seenServices.delete(key)) this.delete(ipam, key, moved);
      }
    }
    return check;
  }

  /** Restore before allocating: every IP already in status is imported first. */
  private restore(observed: ObservedState, pools: PoolSpec[]): void {
    const views = observed.services.map(serviceView);
    this.term = this.leadership?.term?.() ?? 0;
    const clock = this.clock;
    this.ipam = new Ipam(clock ? { now: () => clock.now() } : {});
    this.ipam.restore(pools, views, heldIn(observed.pools));
    this.collector.noteWork(views.length);
    this.seenPools = new Map(pools.map((p) => [p.name, poolFingerprint(p)]));
    this.seenServices = new Map();
    for (let i = 0; i < views.length; i++) {
      const v = views[i]!;
      this.seenServices.set(v.key, this.feed ? serviceInputs(observed.services[i]!) : serviceFingerprint(v));
    }
    this.log.info('leading: IPAM restored from status', {
      services: views.length,
      pools: pools.length,
      held: this.ipam.holds().length,
    });
  }

  /** A Service is gone: its addresses are freed, or held for it (pool releaseDelaySeconds). */
  private delete(ipam: Ipam, key: string, moved: (r: ServiceResult[]) => void): void {
    moved(ipam.deleteService(key));
    const [ns, name] = key.split('/');
    const held = ipam.holds().filter((h) => h.namespace === ns && h.name === name);
    if (held.length > 0)
      this.log.info('Service deleted: its IPs are held for it', {
        service: key,
        ips: held.map((h) => h.ip),
        until: held[0]!.expires,
      });
  }

  /** Gives a Service to the IPAM unless its inputs are those it already has. */
  private upsert(ipam: Ipam, svc: ServiceObject, moved: (r: ServiceResult[]) => void): void {
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
      this.collector.noteWork();
      moved(ipam.upsertService(v));
      // One key string for both (a new key is stored as given; an existing one is kept).
      this.seenServices.set(v.key, serviceInputs(svc));
      return;
    }
    const v = serviceView(svc);
    const fp = serviceFingerprint(v);
    if (seen !== fp) {
      this.collector.noteWork();
      moved(ipam.upsertService(v));
      this.seenServices.set(v.key, fp);
    }
  }
}
