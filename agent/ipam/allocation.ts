/**
 * PURE. The IPAM's reconcile: the state behind the public `Ipam` API (pools, Services, holdings)
 * and the one way a Service is brought in line with it: keep what is still valid, import valid
 * status IPs, allocate the rest, by the claim rules (claim-rules.ts).
 */
import type { Family } from '../net/ip.ts';
import { formatAddr } from './addr.ts';
import { CallLog } from './call-log.ts';
import { type ClaimWorld, claimAuto, claimExplicit, invalidFor, isFailure, ownerOf } from './claim-rules.ts';
import { type Holding, HoldingIndex } from './holdings.ts';
import { HoldBook, rfc3339 } from './holds.ts';
import { compareOrdered } from './order.ts';
import { affectedPools } from './pool-change.ts';
import { type CompiledPool, markConflicts, poolOrder } from './pools.ts';
import {
  dualStackRefused,
  type FamilyFailure,
  failureDetail,
  heldResult,
  oneAddressResult,
  PoolLists,
} from './service-result.ts';
import { holdsFamily, type SvcState, sharingKeyOf } from './service-state.ts';
import { importStatus } from './status-import.ts';
import type { TookHold } from './types.ts';

export const svcOrder: (a: SvcState, b: SvcState) => number = compareOrdered;

export class Allocation implements ClaimWorld {
  readonly poolsByName = new Map<string, CompiledPool>();
  ordered: CompiledPool[] = [];
  readonly index = new HoldingIndex();
  readonly svcs = new Map<string, SvcState>();
  /** Services not fully satisfied: retried, oldest first, when something may have changed. */
  readonly pending = new Set<string>();
  readonly log = new CallLog();
  private poolLists = new PoolLists();
  /** This call freed an address or changed pools: every pending Service gets another chance. */
  private freed = false;
  /** Sharing keys whose holdings changed in this call. */
  readonly keysChanged = new Set<string>();
  /**
   * Addresses whose holders changed in this call without being freed (claimed, taken from a
   * hold, left by a sharing partner): a Service waiting for one by name gets another chance, so
   * its refusal does not keep naming a holder that is gone (or a reason that no longer counts).
   */
  private readonly textsChanged = new Set<string>();
  /** Addresses held for deleted Services (holds.ts). */
  readonly holds = new HoldBook();
  /** Holds taken over in this call, per Service key (for the result's tookHold). */
  private took: Map<string, TookHold[]> | undefined;
  /** Epoch milliseconds (the Ipam's injected clock). */
  now: () => number = () => 0;

  clear(): void {
    this.poolsByName.clear();
    this.ordered = [];
    this.index.clear();
    this.holds.clear();
    this.poolLists.clear();
    this.svcs.clear();
    this.pending.clear();
  }

  begin(): void {
    this.log.end();
    this.freed = false;
    this.took = undefined;
    if (this.keysChanged.size > 0) this.keysChanged.clear();
    if (this.textsChanged.size > 0) this.textsChanged.clear();
  }

  // ---------------------------------------------------------------- ClaimWorld

  pool(name: string): CompiledPool | undefined {
    return this.poolsByName.get(name);
  }

  /** Bound: also handed to CallLog.finish. */
  readonly service = (key: string): SvcState | undefined => this.svcs.get(key);

  create(family: Family, value: bigint, text = formatAddr({ family, value })): Holding {
    const owner = ownerOf(this.ordered, family, value) as CompiledPool;
    return this.index.create(family, value, text, owner.name);
  }

  takeOldestHold(st: SvcState, pools: readonly CompiledPool[], fam: Family): Holding | undefined {
    if (this.holds.size === 0) return undefined;
    const h = this.holds.oldest(new Set(pools.map((p) => p.name)), fam);
    if (!h?.hold) return undefined;
    const t: TookHold = { ip: h.text, heldFor: h.hold.key, expires: rfc3339(h.hold.expires) };
    this.holds.remove(h);
    this.took ??= new Map();
    const list = this.took.get(st.view.key);
    if (list) list.push(t);
    else this.took.set(st.view.key, [t]);
    return h;
  }

  // ---------------------------------------------------------------- holds

  /** Lets go of `st`'s address `h`, keeping it held for st's namespace/name until `expires`. */
  holdFor(st: SvcState, h: Holding, expires: number): void {
    const v = st.view;
    this.release(st, h, undefined, true);
    if (h.holders.length > 0) return; // still shared by others: nothing to hold
    this.holds.add(h, { key: v.key, namespace: v.namespace, name: v.name, since: this.now(), expires });
    // Services waiting on a full pool may now take it (the oldest hold goes first).
    this.freed = true;
  }

  /** Frees every hold whose time is up. */
  expireHolds(now: number): void {
    for (const h of this.holds.due(now)) this.dropHold(h);
    this.retryPending();
  }

  /** The held address goes back to the pool. */
  dropHold(h: Holding): void {
    this.holds.remove(h);
    if (h.holders.length === 0) {
      this.index.drop(h);
      this.freed = true;
    }
  }

  /** Re-created within its hold: the Service takes back the addresses held for its key, when still valid for it. */
  private reclaimHolds(st: SvcState): void {
    const held = this.holds.forKey(st.view.key);
    if (!held || !st.parsed.ok) return;
    const r = st.parsed.request;
    for (const h of [...held]) {
      if (holdsFamily(st, h.family) || invalidFor(this, st, r, h, h.text, h)) {
        // It asks for something else now: the hold has no purpose left.
        this.dropHold(h);
        continue;
      }
      this.claim(st, h);
    }
  }

  // ---------------------------------------------------------------- pools

  reorderPools(): void {
    this.ordered = [...this.poolsByName.values()].sort((a, b) => poolOrder(a.spec, b.spec));
    markConflicts(this.ordered);
  }

  /** Pools changed: revalidate the holders of every pool whose addresses may have changed owner or rules. */
  poolsChanged(changed: (CompiledPool | undefined)[]): void {
    const oldConflicts = new Map(this.ordered.map((p) => [p.name, p.conflict?.pool]));
    this.reorderPools();
    const affected = affectedPools(changed, oldConflicts, this.ordered);
    const holders = new Set<SvcState>();
    const orphans: Holding[] = [];
    for (const name of affected)
      for (const h of this.index.inPool(name)) {
        for (const k of h.holders) holders.add(this.svcs.get(k) as SvcState);
        if (h.hold) orphans.push(h);
      }
    // A held address follows its owner pool, and goes when no pool holds it any more.
    for (const h of orphans) {
      const owner = ownerOf(this.ordered, h.family, h.value);
      if (!owner) this.dropHold(h);
      else if (owner.name !== h.pool) this.index.move(h, owner.name);
    }
    for (const st of [...holders].sort(svcOrder)) this.reconcile(st);
    this.freed = true; // new space or new rules: every pending Service gets another chance
    this.retryPending();
  }

  retryPending(): void {
    if (!this.freed && this.keysChanged.size === 0 && this.textsChanged.size === 0) return;
    const todo: SvcState[] = [];
    for (const k of this.pending) {
      const st = this.svcs.get(k) as SvcState;
      const key = sharingKeyOf(st);
      if (this.freed || (key !== undefined && this.keysChanged.has(key)) || this.asksForChanged(st))
        todo.push(st);
    }
    todo.sort(svcOrder);
    for (const st of todo) this.reconcile(st);
  }

  /** The Service names an address whose holders changed in this call. */
  private asksForChanged(st: SvcState): boolean {
    if (this.textsChanged.size === 0 || !st.parsed.ok) return false;
    for (const t of st.parsed.request.ipTexts) if (this.textsChanged.has(t)) return true;
    return false;
  }

  // ---------------------------------------------------------------- per Service

  /** Keep what is valid, import valid status IPs, take back held ones, allocate the rest. */
  reconcile(st: SvcState): void {
    this.reconcileOne(st);
    const took = this.took?.get(st.view.key);
    if (took && st.result.ok) st.result = { ...st.result, tookHold: took };
  }

  private reconcileOne(st: SvcState): void {
    this.log.touch(st);
    const key = st.view.key;
    if (!st.parsed.ok) {
      for (const h of [...st.held]) this.release(st, h, 'the request is invalid');
      st.result = { key, ok: false, reason: 'invalid-request', message: st.parsed.message };
      return;
    }
    const r = st.parsed.request;
    if (st.held.length > 0)
      for (const h of [...st.held]) {
        const why = invalidFor(this, st, r, h, h.text, h);
        if (why) this.release(st, h, why);
      }
    if (st.view.statusIPs.length > 0) this.importStatus(st);
    if (this.holds.size > 0) this.reclaimHolds(st);
    let failures: FamilyFailure[] | undefined;
    for (const fam of r.families) {
      if (holdsFamily(st, fam)) continue;
      const ip = r.ips.length > 0 ? r.ips.find((x) => x.family === fam) : undefined;
      const c = ip ? claimExplicit(this, st, r, ip) : claimAuto(this, st, r, fam);
      if (!isFailure(c)) {
        this.claim(st, c);
        continue;
      }
      failures ??= [];
      failures.push({ family: fam, f: c });
    }
    if (!failures) {
      this.pending.delete(key);
      if (st.held.length === 1) {
        st.result = oneAddressResult(key, st.held[0] as Holding, this.poolLists);
        return;
      }
      failures = [];
    }
    const detail = failureDetail(failures);
    if (r.policy === 'RequireDualStack' && failures.length > 0 && st.held.length > 0) {
      for (const h of [...st.held])
        this.release(st, h, 'RequireDualStack and the other family is unavailable');
      st.result = dualStackRefused(key, r, failures, detail);
    } else st.result = heldResult(key, r, st.held, failures, detail);
    if (failures.length > 0) this.pending.add(key);
    else this.pending.delete(key);
  }

  /** Claims the Service's status IPs it does not hold yet, when still valid (status-import.ts). */
  importStatus(st: SvcState): void {
    importStatus(this, st);
  }

  // ---------------------------------------------------------------- holding and letting go

  claim(st: SvcState, h: Holding): void {
    // restore() retries nobody: every Service is reconciled there anyway.
    if (!this.log.restoring) this.textsChanged.add(h.text);
    if (h.hold) this.holds.remove(h);
    if (h.holders.length === 0) h.holders = [st.view.key];
    else h.holders.push(st.view.key);
    if (st.held.length === 0) st.held = [h];
    else st.held.push(h);
    const key = sharingKeyOf(st);
    if (key !== undefined) {
      this.index.keyIndex(key, h, 1);
      this.keysChanged.add(key);
    }
  }

  /** `keep`: the address is about to be held, so it stays in the index when no holder is left. */
  release(st: SvcState, h: Holding, why?: string, keep = false): void {
    if (why) this.log.noteLost(st.view.key, h.text, why);
    h.holders.splice(h.holders.indexOf(st.view.key), 1);
    st.held.splice(st.held.indexOf(h), 1);
    const key = sharingKeyOf(st);
    if (key !== undefined) {
      this.index.keyIndex(key, h, -1);
      this.keysChanged.add(key);
    }
    if (h.holders.length === 0 && !keep) {
      this.index.drop(h);
      this.freed = true;
    } else if (h.holders.length > 0) this.textsChanged.add(h.text);
  }

  /** Counts (+1) or uncounts (-1) the Service's holdings under its sharing key. */
  indexKeys(st: SvcState, delta: 1 | -1): void {
    const key = sharingKeyOf(st);
    if (key !== undefined) for (const h of st.held) this.index.keyIndex(key, h, delta);
  }
}
