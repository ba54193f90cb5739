/**
 * PURE. The IPAM: pools in, Services in, one result per Service and figures per pool out.
 *
 * State is only a cache of what Service status says: restore() rebuilds it from the statuses
 * (Services that hold IPs first, oldest first) before anything new is allocated, and an IP that
 * is still valid for its Service is never taken away, whatever the order of events, pool edits
 * or restarts. Every address has at most one owner pool (the oldest containing it). Each event
 * returns the results it changed. The rules live in claim-rules.ts, the per-Service reconcile
 * in allocation.ts, the memory-saving index of held addresses in holdings.ts, and the addresses
 * kept for deleted Services (pool releaseDelaySeconds, restored from pool status) in holds.ts.
 */
import { parseAddrText } from './addr.ts';
import { Allocation, svcOrder } from './allocation.ts';
import { UNTOUCHED } from './call-log.ts';
import { ownerOf } from './claim-rules.ts';
import { parseTime } from './holds.ts';
import { compilePool, poolFacts } from './pools.ts';
import { newState, type SvcState, sharingKeyOf, updateState } from './service-state.ts';
import type { HoldRecord, PoolFacts, PoolSpec, ServiceResult, ServiceView } from './types.ts';

export interface IpamOptions {
  /** Epoch milliseconds, for holds (holds.ts). Default: always 0 (tests without holds). */
  now?: () => number;
}

export class Ipam {
  private readonly a = new Allocation();

  constructor(o: IpamOptions = {}) {
    if (o.now) this.a.now = o.now;
  }

  /**
   * Rebuilds everything from pools, Service statuses and the holds pool status lists. Returns
   * every Service's result. Status wins over a hold: a held address some Service's status
   * already names is not held; expired holds and holds of addresses no pool owns are dropped.
   */
  restore(pools: PoolSpec[], services: ServiceView[], holds: readonly HoldRecord[] = []): ServiceResult[] {
    const a = this.a;
    a.clear();
    for (const p of pools) a.poolsByName.set(p.name, compilePool(p));
    a.reorderPools();
    a.begin();
    // Every Service is new here: results come back in input order, one per key, without
    // recording what each one held before (nothing).
    a.log.restoring = true;
    const entries: SvcState[] = [];
    for (const v of services) {
      const st = newState(v);
      const n = a.svcs.size;
      a.svcs.set(v.key, st);
      if (a.svcs.size > n) entries.push(st);
      // A key listed twice (rare): the last view wins, in the first one's place.
      else entries[entries.findIndex((e) => e.view.key === v.key)] = st;
    }
    const states = entries.slice().sort(svcOrder);
    // Claim what status already says first, so no new Service can take a held IP. Nothing
    // searches the run sets until all of them are in: they are built once, from the list.
    a.index.bulkStart();
    for (const st of states) if (st.view.statusIPs.length > 0) a.importStatus(st);
    a.index.bulkEnd();
    const now = a.now();
    for (const rec of holds) {
      const ip = parseAddrText(rec.ip);
      const expires = parseTime(rec.expires);
      if (!ip || !(expires > now) || a.index.get(ip.text)) continue;
      const owner = ownerOf(a.ordered, ip.family, ip.value);
      if (!owner) continue;
      const since = rec.since !== undefined ? parseTime(rec.since) : Number.NaN;
      a.holds.add(a.create(ip.family, ip.value, ip.text), {
        key: `${rec.namespace}/${rec.name}`,
        namespace: rec.namespace,
        name: rec.name,
        since: Number.isNaN(since) ? now : since,
        expires,
      });
    }
    for (const st of states) a.reconcile(st);
    a.log.restoring = false;
    const out: ServiceResult[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const st = entries[i] as SvcState;
      a.log.settle(st, UNTOUCHED);
      out[i] = st.result;
    }
    a.log.end();
    return out;
  }

  upsertPool(spec: PoolSpec): ServiceResult[] {
    return this.call(upsertPool, spec);
  }

  deletePool(name: string): ServiceResult[] {
    return this.call(deletePool, name);
  }

  upsertService(view: ServiceView): ServiceResult[] {
    return this.call(upsertService, view);
  }

  deleteService(key: string): ServiceResult[] {
    return this.call(deleteService, key);
  }

  /** Frees the holds whose time is up (at the injected clock's now); returns the results that changed. */
  expireHolds(): ServiceResult[] {
    if (this.a.holds.size === 0) return [];
    return this.call((a) => a.expireHolds(a.now()), undefined);
  }

  /** When the next hold expires (epoch milliseconds); undefined without holds. */
  nextHoldExpiry(): number | undefined {
    return this.a.holds.nextExpiry();
  }

  /** The addresses held for deleted Services, oldest first (of one pool when given). */
  holds(pool?: string): HoldRecord[] {
    return this.a.holds.records(pool);
  }

  result(key: string): ServiceResult | undefined {
    return this.a.svcs.get(key)?.result;
  }

  /** The results without an address, in no particular order (no copy, no sort: cheap each pass). */
  *failedResults(): IterableIterator<ServiceResult & { ok: false }> {
    for (const st of this.a.svcs.values()) if (!st.result.ok) yield st.result;
  }

  results(): ServiceResult[] {
    const svcs = this.a.svcs;
    return [...svcs.keys()].sort().map((k) => (svcs.get(k) as SvcState).result);
  }

  /** Every pool's figures and state, oldest pool first. */
  pools(): PoolFacts[] {
    const held = new Map<string, number>();
    if (this.a.holds.size > 0)
      for (const r of this.a.holds.records()) held.set(r.pool, (held.get(r.pool) ?? 0) + 1);
    return this.a.ordered.map((p) => {
      const f = poolFacts(p, BigInt(this.a.index.count(p.name)));
      const n = held.get(p.name);
      return n ? { ...f, held: n } : f;
    });
  }

  /** One event: returns the results it changed. */
  private call<T>(event: (a: Allocation, arg: T) => void, arg: T): ServiceResult[] {
    const a = this.a;
    a.begin();
    event(a, arg);
    return a.log.finish(a.service);
  }
}

// ---------------------------------------------------------------- events

function upsertPool(a: Allocation, spec: PoolSpec): void {
  const before = a.poolsByName.get(spec.name);
  const after = compilePool(spec);
  a.poolsByName.set(spec.name, after);
  a.poolsChanged([before, after]);
}

function deletePool(a: Allocation, name: string): void {
  const before = a.poolsByName.get(name);
  if (!before) return;
  a.poolsByName.delete(name);
  a.poolsChanged([before]);
}

function upsertService(a: Allocation, view: ServiceView): void {
  let st = a.svcs.get(view.key);
  if (st) {
    const oldKey = sharingKeyOf(st);
    a.indexKeys(st, -1);
    updateState(st, view);
    a.indexKeys(st, 1);
    const newKey = sharingKeyOf(st);
    if (oldKey !== undefined) a.keysChanged.add(oldKey);
    if (newKey !== undefined) a.keysChanged.add(newKey);
  } else {
    st = newState(view);
    a.svcs.set(view.key, st);
  }
  a.reconcile(st);
  a.retryPending();
}

function deleteService(a: Allocation, key: string): void {
  const st = a.svcs.get(key);
  if (!st) return;
  for (const h of [...st.held]) {
    const delay = a.poolsByName.get(h.pool)?.spec.releaseDelaySeconds ?? 0;
    if (delay > 0) a.holdFor(st, h, a.now() + delay * 1000);
    else a.release(st, h);
  }
  a.svcs.delete(key);
  a.pending.delete(key);
  a.log.forget(key);
  a.retryPending();
}
