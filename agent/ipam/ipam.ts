/**
 * PURE. The IPAM: pools in, Services in, one result per Service and figures per pool out.
 *
 * State is only a cache of what Service status says: restore() rebuilds it from the statuses
 * (Services that hold IPs first, oldest first) before anything new is allocated, and an IP that
 * is still valid for its Service is never taken away, whatever the order of events, pool edits
 * or restarts. Every address has at most one owner pool (the oldest containing it). Each event
 * returns the results it changed. The rules live in claim-rules.ts, the per-Service reconcile
 * in allocation.ts, the memory-saving index of held addresses in holdings.ts.
 */
import { Allocation, svcOrder } from './allocation.ts';
import { UNTOUCHED } from './call-log.ts';
import { compilePool, poolFacts } from './pools.ts';
import { newState, type SvcState, sharingKeyOf, updateState } from './service-state.ts';
import type { PoolFacts, PoolSpec, ServiceResult, ServiceView } from './types.ts';

export class Ipam {
  private readonly a = new Allocation();

  /** Rebuilds everything from pools and Service statuses. Returns every Service's result. */
  restore(pools: PoolSpec[], services: ServiceView[]): ServiceResult[] {
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

  result(key: string): ServiceResult | undefined {
    return this.a.svcs.get(key)?.result;
  }

  results(): ServiceResult[] {
    const svcs = this.a.svcs;
    return [...svcs.keys()].sort().map((k) => (svcs.get(k) as SvcState).result);
  }

  /** Every pool's figures and state, oldest pool first. */
  pools(): PoolFacts[] {
    return this.a.ordered.map((p) => poolFacts(p, BigInt(this.a.index.count(p.name))));
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
  for (const h of [...st.held]) a.release(st, h);
  a.svcs.delete(key);
  a.pending.delete(key);
  a.log.forget(key);
  a.retryPending();
}
