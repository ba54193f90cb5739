/**
 * PURE. The allocator: pools in, Services in, one result per Service and per pool out.
 *
 * State is only a cache of what Service status says: restore() rebuilds it from the statuses
 * (Services that hold IPs first, oldest first) before anything new is allocated, and an IP that
 * is still valid for its Service is never taken away, whatever the order of events, pool edits
 * or restarts. Every address has at most one owner pool (the oldest containing it); allocated
 * addresses are kept per family as runs in an AVL tree, so the lowest free address of a range is
 * one O(log n) lookup and a /64 costs memory only for what is allocated.
 */
import type { Family, IP, IPRange } from '../net/ip.ts';
import { formatAddr, parseAddrText } from './addr.ts';
import { compareOrdered, creationKey } from './order.ts';
import { type CompiledPool, compilePool, contains, markConflicts, poolOrder, usable } from './pools.ts';
import { type ParsedRequest, parseRequest, type Request } from './request.ts';
import { RunSet } from './run-set.ts';
import { matchesAll } from './selector.ts';
import { canShare } from './sharing.ts';
import type {
  FailureReason,
  PoolCondition,
  PoolResult,
  PoolSpec,
  Replaced,
  ServiceResult,
  ServiceView,
} from './types.ts';

/** An allocated address (it is its own IP: one object per address, not two). */
interface Holding extends IP {
  text: string;
  pool: string;
  /** Index in byPool's list for `pool`. */
  slot: number;
  /** Keys of the Services holding it (more than one only when they share). */
  holders: string[];
}

interface SvcState {
  view: ServiceView;
  /** creationKey(view.creationOrder): sorts without string comparisons. */
  ord: number;
  parsed: ParsedRequest;
  held: Holding[];
  result: ServiceResult;
}

type Failure = { ok: false; reason: FailureReason; message: string };
type Claim = { ok: true } | Failure;

const NOTHING: string[] = [];
/**
 * Shared empty lists: an empty array literal costs 64 bytes, a one-element one 48, so claim()
 * replaces these with `[x]` instead of pushing. Frozen: a push by mistake throws.
 */
const NO_HOLDINGS = Object.freeze([]) as unknown as Holding[];
const NO_HOLDERS = Object.freeze([]) as unknown as string[];
const famName = (f: Family) => (f === 6 ? 'IPv6' : 'IPv4');
const OK: Claim = Object.freeze({ ok: true });
const fail = (reason: FailureReason, message: string): Failure => ({ ok: false, reason, message });

function overlaps(xs: IPRange[], ys: IPRange[]): boolean {
  return xs.some((a) => ys.some((b) => a.family === b.family && a.first <= b.last && b.first <= a.last));
}

/** True when every address of `before` is still in `after` under the same selector. */
function keepsHolders(before: CompiledPool, after: CompiledPool): boolean {
  if (
    JSON.stringify(before.spec.serviceSelector ?? null) !== JSON.stringify(after.spec.serviceSelector ?? null)
  )
    return false;
  for (const fam of [4, 6] as const)
    for (const r of before.ranges[fam])
      if (!after.ranges[fam].some((n) => n.first <= r.first && r.last <= n.last)) return false;
  return true;
}

const svcOrder: (a: SvcState, b: SvcState) => number = compareOrdered;

/** What touch() records for a Service this call has not seen yet, when it had nothing before. */
const UNTOUCHED: Touched = Object.freeze({ result: undefined, held: NOTHING });

interface Touched {
  result: ServiceResult | undefined;
  held: string[];
}

function newState(view: ServiceView): SvcState {
  return {
    view,
    ord: creationKey(view.creationOrder),
    parsed: parseRequest(view),
    held: NO_HOLDINGS,
    result: NOT_PROCESSED,
  };
}

/** Replaced by the first reconcile, before any caller can see it; shared so it costs nothing. */
const NOT_PROCESSED: ServiceResult = Object.freeze({
  key: '',
  ok: false,
  reason: 'no-matching-pool',
  message: 'not processed yet',
});

/** The pool's serviceSelector accepts the Service (an invalid selector is reported elsewhere). */
function selects(p: CompiledPool, r: Request): boolean {
  return p.matches === undefined || p.matches === matchesAll || p.matches(r.labels);
}

function holdsText(st: SvcState, text: string): boolean {
  for (const h of st.held) if (h.text === text) return true;
  return false;
}

function holdsFamily(st: SvcState, fam: Family): boolean {
  for (const h of st.held) if (h.family === fam) return true;
  return false;
}

function sameResult(a: ServiceResult | undefined, b: ServiceResult): boolean {
  if (!a || a.ok !== b.ok || a.message !== b.message) return false;
  if (a.ok && b.ok) return a.ips.join() === b.ips.join() && a.pools.join() === b.pools.join();
  return !a.ok && !b.ok && a.reason === b.reason;
}

export class Ipam {
  private poolsByName = new Map<string, CompiledPool>();
  private ordered: CompiledPool[] = [];
  private sets: Record<Family, RunSet> = { 4: new RunSet(), 6: new RunSet() };
  private holdings = new Map<string, Holding>();
  /**
   * Holdings per pool (by h.pool), each at index h.slot: a plain array with swap-remove costs
   * ~8 bytes an address where a Set cost ~52, and a pool event still visits only its holders.
   */
  private byPool = new Map<string, Holding[]>();
  /** Sharing key -> holdings with at least one holder using that key. */
  private byKey = new Map<string, Map<Holding, number>>();
  private svcs = new Map<string, SvcState>();
  private poolLists = new Map<string, string[]>();
  /** Services not fully satisfied: retried, oldest first, when something may have changed. */
  private pending = new Set<string>();

  // Per-call bookkeeping.
  private touched = new Map<string, Touched>();
  private lost = new Map<string, { ips: Set<string>; why: string[] }>();
  private freed = false;
  /** Inside restore(): every Service is new, nothing to remember per Service. */
  private restoring = false;
  /** Inside restore()'s status import: addresses for RunSet.of instead of one add each. */
  private collected: Record<Family, bigint[]> | undefined;
  private keysChanged = new Set<string>();

  // ---------------------------------------------------------------- public API

  /** Rebuilds everything from pools and Service statuses. Returns every Service's result. */
  restore(pools: PoolSpec[], services: ServiceView[]): ServiceResult[] {
    this.poolsByName.clear();
    this.ordered = [];
    this.sets = { 4: new RunSet(), 6: new RunSet() };
    this.holdings.clear();
    this.byPool.clear();
    this.poolLists.clear();
    this.byKey.clear();
    this.svcs.clear();
    this.pending.clear();
    for (const p of pools) this.poolsByName.set(p.name, compilePool(p));
    this.reorderPools();
    this.begin();
    // Every Service is new here: results come back in input order, one per key, without
    // recording what each one held before (nothing).
    this.restoring = true;
    const entries: SvcState[] = [];
    for (const v of services) {
      const st = newState(v);
      const n = this.svcs.size;
      this.svcs.set(v.key, st);
      if (this.svcs.size > n) entries.push(st);
      // A key listed twice (rare): the last view wins, in the first one's place.
      else entries[entries.findIndex((e) => e.view.key === v.key)] = st;
    }
    const states = entries.slice().sort(svcOrder);
    // Claim what status already says first, so no new Service can take a held IP. Nothing
    // searches the run sets until all of them are in: they are built once, from the list.
    this.collected = { 4: [], 6: [] };
    for (const st of states) if (st.view.statusIPs.length > 0) this.importStatus(st);
    this.sets = { 4: RunSet.of(this.collected[4]), 6: RunSet.of(this.collected[6]) };
    this.collected = undefined;
    for (const st of states) this.reconcile(st);
    this.restoring = false;
    const out: ServiceResult[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const st = entries[i] as SvcState;
      this.settle(st, UNTOUCHED);
      out[i] = st.result;
    }
    this.endCall();
    return out;
  }

  upsertPool(spec: PoolSpec): ServiceResult[] {
    this.begin();
    const before = this.poolsByName.get(spec.name);
    const after = compilePool(spec);
    this.poolsByName.set(spec.name, after);
    this.poolsChanged([before, after]);
    return this.finish();
  }

  deletePool(name: string): ServiceResult[] {
    this.begin();
    const before = this.poolsByName.get(name);
    if (!before) return this.finish();
    this.poolsByName.delete(name);
    this.poolsChanged([before]);
    return this.finish();
  }

  upsertService(view: ServiceView): ServiceResult[] {
    this.begin();
    let st = this.svcs.get(view.key);
    if (st) {
      const oldKey = st.parsed.ok ? st.parsed.request.sharingKey : undefined;
      this.unindexKeys(st);
      st.view = view;
      st.ord = creationKey(view.creationOrder);
      st.parsed = parseRequest(view);
      this.indexKeys(st);
      const newKey = st.parsed.ok ? st.parsed.request.sharingKey : undefined;
      if (oldKey !== undefined) this.keysChanged.add(oldKey);
      if (newKey !== undefined) this.keysChanged.add(newKey);
    } else {
      st = newState(view);
      this.svcs.set(view.key, st);
    }
    this.reconcile(st);
    this.retryPending();
    return this.finish();
  }

  deleteService(key: string): ServiceResult[] {
    this.begin();
    const st = this.svcs.get(key);
    if (!st) return this.finish();
    for (const h of [...st.held]) this.release(st, h);
    this.svcs.delete(key);
    this.pending.delete(key);
    this.touched.delete(key);
    this.retryPending();
    return this.finish();
  }

  result(key: string): ServiceResult | undefined {
    return this.svcs.get(key)?.result;
  }

  results(): ServiceResult[] {
    return [...this.svcs.keys()].sort().map((k) => (this.svcs.get(k) as SvcState).result);
  }

  pools(): PoolResult[] {
    return this.ordered.map((p) => this.poolResult(p));
  }

  // ---------------------------------------------------------------- events

  private begin(): void {
    this.endCall();
    this.freed = false;
    if (this.keysChanged.size > 0) this.keysChanged.clear();
  }

  /** Drops the per-call bookkeeping (clear() on an empty Map is not free: skip it). */
  private endCall(): void {
    if (this.touched.size > 0) this.touched.clear();
    if (this.lost.size > 0) this.lost.clear();
  }

  private finish(): ServiceResult[] {
    const out: ServiceResult[] = [];
    for (const [key, prev] of this.touched) {
      const st = this.svcs.get(key);
      if (!st) continue;
      const replaced = this.settle(st, prev);
      if (!replaced && sameResult(prev.result, st.result)) continue;
      out.push(st.result);
    }
    // Per-call bookkeeping only: do not keep 100,000 entries alive until the next call.
    this.endCall();
    return out;
  }

  /** Adds `replaced` to the result when the call took away what the Service had; true then. */
  private settle(st: SvcState, prev: Touched): boolean {
    const lost = this.lost.get(st.view.key);
    if (!lost) return false;
    // Only what the Service really had (held before this call, or in its status) was replaced.
    const gone = [...lost.ips].filter(
      (ip) =>
        (prev.held.includes(ip) || st.view.statusIPs.includes(ip)) && !st.held.some((h) => h.text === ip),
    );
    if (gone.length === 0) return false;
    const replaced: Replaced = { ips: gone, why: lost.why.join('; ') };
    st.result = { ...st.result, replaced };
    return true;
  }

  private touch(st: SvcState): void {
    if (this.restoring) return;
    if (!this.touched.has(st.view.key))
      this.touched.set(st.view.key, {
        result: st.result,
        held: st.held.length === 0 ? NOTHING : st.held.map((h) => h.text),
      });
  }

  private noteLost(st: SvcState, ip: string, why: string): void {
    let l = this.lost.get(st.view.key);
    if (!l) {
      l = { ips: new Set(), why: [] };
      this.lost.set(st.view.key, l);
    }
    l.ips.add(ip);
    const line = `${ip}: ${why}`;
    if (!l.why.includes(line)) l.why.push(line);
  }

  private reorderPools(): void {
    this.ordered = [...this.poolsByName.values()].sort((a, b) => poolOrder(a.spec, b.spec));
    markConflicts(this.ordered);
  }

  /** Pools changed: revalidate the holders of every pool whose addresses may have changed owner or rules. */
  private poolsChanged(changed: (CompiledPool | undefined)[]): void {
    const oldConflicts = new Map(this.ordered.map((p) => [p.name, p.conflict?.pool]));
    this.reorderPools();
    const affected = new Set<string>();
    const [before, after] = changed;
    // Widening a pool or changing only disabled/autoAssign leaves every holder valid.
    if (!(before && after && keepsHolders(before, after)))
      for (const c of changed) if (c) affected.add(c.name);
    for (const p of this.ordered) if (oldConflicts.get(p.name) !== p.conflict?.pool) affected.add(p.name);
    // Holdings in any other pool overlapping a changed one may change owner.
    for (const c of changed) {
      if (!c) continue;
      for (const p of this.ordered)
        if (p.name !== c.name && overlaps(p.blockRanges, c.blockRanges)) affected.add(p.name);
    }
    const holders = new Set<SvcState>();
    for (const name of affected)
      for (const h of this.byPool.get(name) ?? [])
        for (const k of h.holders) holders.add(this.svcs.get(k) as SvcState);
    for (const st of [...holders].sort(svcOrder)) this.reconcile(st);
    this.freed = true; // new space or new rules: every pending Service gets another chance
    this.retryPending();
  }

  private retryPending(): void {
    if (!this.freed && this.keysChanged.size === 0) return;
    const todo: SvcState[] = [];
    for (const k of this.pending) {
      const st = this.svcs.get(k) as SvcState;
      const key = st.parsed.ok ? st.parsed.request.sharingKey : undefined;
      if (this.freed || (key !== undefined && this.keysChanged.has(key))) todo.push(st);
    }
    todo.sort(svcOrder);
    for (const st of todo) this.reconcile(st);
  }

  // ---------------------------------------------------------------- per Service

  /** Keep what is valid, import valid status IPs, allocate the rest. */
  private reconcile(st: SvcState): void {
    this.touch(st);
    const key = st.view.key;
    if (!st.parsed.ok) {
      for (const h of [...st.held]) this.release(st, h, 'the request is invalid');
      this.setResult(st, { key, ok: false, reason: 'invalid-request', message: st.parsed.message });
      return;
    }
    const r = st.parsed.request;
    if (st.held.length > 0)
      for (const h of [...st.held]) {
        const why = this.invalidFor(st, r, h, h.text, h);
        if (why) this.release(st, h, why);
      }
    if (st.view.statusIPs.length > 0) this.importStatus(st);
    let failures: { family: Family; f: Failure }[] | undefined;
    for (const fam of r.families) {
      if (holdsFamily(st, fam)) continue;
      const ip = r.ips.length > 0 ? r.ips.find((x) => x.family === fam) : undefined;
      const c = ip ? this.claimExplicit(st, r, ip) : this.claimAuto(st, r, fam);
      if (c.ok) continue;
      failures ??= [];
      failures.push({ family: fam, f: c });
    }
    if (!failures) {
      this.pending.delete(key);
      if (st.held.length === 1) {
        // The common case: one address, one pool.
        const h = st.held[0] as Holding;
        this.setResult(st, {
          key,
          ok: true,
          ips: [h.text],
          pools: this.onePool(h.pool),
          pool: h.pool,
          message: `${h.text} from pool ${h.pool}`,
        });
        return;
      }
      failures = [];
    }
    const detail = failures.map((x) => `${famName(x.family)}: ${x.f.message}`).join('; ');
    if (r.policy === 'RequireDualStack' && failures.length > 0 && st.held.length > 0) {
      for (const h of [...st.held])
        this.release(st, h, 'RequireDualStack and the other family is unavailable');
      const reason = r.ips.length > 0 ? (failures[0] as { f: Failure }).f.reason : 'dual-stack-unavailable';
      this.setResult(st, { key, ok: false, reason, message: `RequireDualStack: ${detail}` });
    } else if (st.held.length === 0) {
      const first = failures[0]?.f ?? fail('no-matching-pool', 'no address family requested');
      this.setResult(st, {
        key,
        ok: false,
        reason: first.reason,
        message: failures.length > 1 ? detail : first.message,
      });
    } else {
      st.held.sort((a, b) => r.families.indexOf(a.family) - r.families.indexOf(b.family));
      const ips = st.held.map((h) => h.text);
      const pools = st.held.map((h) => h.pool);
      const names = [...new Set(pools)].join(', ');
      let message = `${ips.join(', ')} from pool ${names}`;
      if (failures.length > 0) message += `; ${detail}`;
      this.setResult(st, { key, ok: true, ips, pools, pool: names, message });
    }
    if (failures.length > 0) this.pending.add(key);
    else this.pending.delete(key);
  }

  /** [name], shared by every result from that pool (frozen: results are read-only). */
  private onePool(name: string): string[] {
    let list = this.poolLists.get(name);
    if (!list) {
      list = Object.freeze([name]) as unknown as string[];
      this.poolLists.set(name, list);
    }
    return list;
  }

  private setResult(st: SvcState, result: ServiceResult): void {
    st.result = result;
  }

  /** Claims the Service's status IPs it does not hold yet, when still valid. */
  private importStatus(st: SvcState): void {
    if (!st.parsed.ok) {
      for (const t of st.view.statusIPs) this.noteLost(st, t, 'the request is invalid');
      return;
    }
    const r = st.parsed.request;
    for (const t of st.view.statusIPs) {
      if (holdsText(st, t)) continue;
      const ip = parseAddrText(t);
      if (!ip) continue;
      const text = ip.text;
      if (text !== t && holdsText(st, text)) continue;
      if (holdsFamily(st, ip.family)) {
        this.noteLost(st, text, `the Service already holds an ${famName(ip.family)} address`);
        continue;
      }
      const h = this.holdings.get(text);
      const why = this.invalidFor(st, r, ip, text, h);
      if (why) {
        this.noteLost(st, text, why);
        continue;
      }
      this.claim(st, h ?? this.newHolding(ip.family, ip.value, text));
    }
  }

  /** Why `ip` (held by st, or found in its status) is not valid for it any more; undefined if valid. */
  private invalidFor(
    st: SvcState,
    r: Request,
    ip: IP,
    text: string,
    h: Holding | undefined,
  ): string | undefined {
    if (!r.families.includes(ip.family))
      return `the Service no longer wants an ${famName(ip.family)} address`;
    if (r.ips.length > 0 && !r.ipTexts.includes(text))
      return `${r.ipsSource} now asks for ${r.ipTexts.join(', ')}`;
    const owner = this.ownerOf(ip);
    if (!owner) return 'no pool contains it any more';
    if (h && h.pool !== owner.name) this.moveHolding(h, owner.name);
    if (r.pool !== undefined && r.pool !== owner.name)
      return `the Service asks for pool ${r.pool}, it is in pool ${owner.name}`;
    if (!selects(owner, r)) return `pool ${owner.name}'s serviceSelector does not match the Service`;
    if (h)
      for (const k of h.holders) {
        if (k === st.view.key) continue;
        const other = this.svcs.get(k) as SvcState;
        if (!other.parsed.ok) continue;
        const v = canShare(
          { view: st.view, request: r },
          { view: other.view, request: other.parsed.request },
        );
        if (!v.ok) return v.message;
      }
    return undefined;
  }

  private claimExplicit(st: SvcState, r: Request, ip: IP): Claim {
    const text = formatAddr(ip);
    const owner = this.ownerOf(ip);
    if (!owner) return fail('no-pool-for-ip', `${text} is in no pool`);
    if (r.pool !== undefined && r.pool !== owner.name)
      return fail('no-pool-for-ip', `${text} is in pool ${owner.name}, not in the requested pool ${r.pool}`);
    if (!selects(owner, r))
      return fail(
        'no-pool-for-ip',
        `${text} is in pool ${owner.name}, whose serviceSelector does not match the Service`,
      );
    const h = this.holdings.get(text);
    if (h) {
      for (const k of h.holders) {
        const other = this.svcs.get(k) as SvcState;
        if (!other.parsed.ok) continue;
        const v = canShare(
          { view: st.view, request: r },
          { view: other.view, request: other.parsed.request },
        );
        if (!v.ok)
          return fail(
            v.reason,
            v.reason === 'ip-in-use' ? `${text} is ${v.message}` : `${text}: ${v.message}`,
          );
      }
      this.claim(st, h);
      return { ok: true };
    }
    if (!usable(owner))
      return fail('no-pool-for-ip', `${text} is in pool ${owner.name}, which ${this.unusableWhy(owner)}`);
    this.claim(st, this.newHolding(ip.family, ip.value, text));
    return { ok: true };
  }

  private claimAuto(st: SvcState, r: Request, fam: Family): Claim {
    if (r.sharingKey === undefined) {
      // The common case, without building lists: the lowest free address of the first open
      // pool (the same pools, in the same order, as `open` below) that has one.
      for (const p of this.ordered) {
        if (p.ranges[fam].length === 0 || !usable(p)) continue;
        if (r.pool === undefined ? !p.spec.autoAssign : p.name !== r.pool) continue;
        if (!selects(p, r)) continue;
        for (const range of p.ranges[fam]) {
          const v = this.sets[fam].lowestFree(range.first, range.last);
          if (v !== undefined) {
            this.claim(st, this.newHolding(fam, v, formatAddr({ family: fam, value: v })));
            return OK;
          }
        }
      }
    }
    const eligible = this.ordered.filter(
      (p) => p.ranges[fam].length > 0 && (r.pool === undefined || p.name === r.pool) && selects(p, r),
    );
    if (r.sharingKey !== undefined) {
      const cands = [...(this.byKey.get(r.sharingKey)?.keys() ?? [])]
        .filter((h) => h.family === fam)
        .sort((a, b) => (a.value < b.value ? -1 : 1));
      let conflict: Failure | undefined;
      for (const h of cands) {
        if (!eligible.some((p) => p.name === h.pool)) continue;
        let verdict: Claim = { ok: true };
        let foreign = false;
        for (const k of h.holders) {
          const other = this.svcs.get(k) as SvcState;
          if (!other.parsed.ok) continue;
          const v = canShare(
            { view: st.view, request: r },
            { view: other.view, request: other.parsed.request },
          );
          if (!v.ok) {
            verdict = fail(v.reason, `${h.text}: ${v.message}`);
            foreign = v.kind === 'namespace';
            break;
          }
        }
        if (verdict.ok) {
          this.claim(st, h);
          return verdict;
        }
        // A Service of another namespace without consent simply is not a partner.
        if (!foreign) conflict ??= verdict;
      }
      if (conflict) return conflict;
    }
    const open = eligible.filter((p) => usable(p) && (p.spec.autoAssign || r.pool === p.name));
    if (open.length === 0) return fail('no-matching-pool', this.noPoolWhy(r, fam, eligible));
    for (const p of open)
      for (const range of p.ranges[fam]) {
        const v = this.sets[fam].lowestFree(range.first, range.last);
        if (v !== undefined) {
          this.claim(st, this.newHolding(fam, v, formatAddr({ family: fam, value: v })));
          return { ok: true };
        }
      }
    return fail(
      'pool-exhausted',
      `${open.length === 1 ? 'pool' : 'pools'} ${open.map((p) => p.name).join(', ')} ${open.length === 1 ? 'has' : 'have'} no free ${famName(fam)} address`,
    );
  }

  private noPoolWhy(r: Request, fam: Family, eligible: CompiledPool[]): string {
    if (r.pool !== undefined) {
      const p = this.poolsByName.get(r.pool);
      if (!p) return `the requested pool ${r.pool} does not exist`;
      if (p.ranges[fam].length === 0) return `the requested pool ${r.pool} has no ${famName(fam)} block`;
      if (!selects(p, r)) return `the requested pool ${r.pool}'s serviceSelector does not match the Service`;
      return `the requested pool ${r.pool} ${this.unusableWhy(p)}`;
    }
    if (eligible.length === 0) return `no pool with ${famName(fam)} addresses selects the Service`;
    return `every pool that selects the Service is unavailable (${eligible
      .map((p) => `${p.name}: ${usable(p) ? 'autoAssign is false' : this.unusableWhy(p)}`)
      .join('; ')})`;
  }

  private unusableWhy(p: CompiledPool): string {
    if (p.conflict) return `is in conflict (${p.conflict.message})`;
    if (p.problems.length > 0) return `is invalid (${p.problems.join('; ')})`;
    if (p.spec.disabled) return 'is disabled';
    return 'is available';
  }

  // ---------------------------------------------------------------- holdings

  private ownerOf(ip: IP): CompiledPool | undefined {
    for (const p of this.ordered) if (contains(p, ip.family, ip.value)) return p;
    return undefined;
  }

  private newHolding(family: Family, value: bigint, text: string): Holding {
    const h: Holding = { family, value, text, pool: '', slot: 0, holders: NO_HOLDERS };
    const owner = this.ownerOf(h) as CompiledPool;
    this.holdings.set(text, h);
    if (this.collected) this.collected[family].push(value);
    else this.sets[family].add(value);
    this.addToPool(h, owner.name);
    return h;
  }

  private addToPool(h: Holding, pool: string): void {
    h.pool = pool;
    let list = this.byPool.get(pool);
    if (!list) {
      list = [];
      this.byPool.set(pool, list);
    }
    h.slot = list.length;
    list.push(h);
  }

  private removeFromPool(h: Holding): void {
    const list = this.byPool.get(h.pool) as Holding[];
    const last = list.pop() as Holding;
    if (last !== h) {
      list[h.slot] = last;
      last.slot = h.slot;
    }
    if (list.length === 0) this.byPool.delete(h.pool);
  }

  private moveHolding(h: Holding, pool: string): void {
    this.removeFromPool(h);
    this.addToPool(h, pool);
  }

  private claim(st: SvcState, h: Holding): void {
    if (h.holders.length === 0) h.holders = [st.view.key];
    else h.holders.push(st.view.key);
    if (st.held.length === 0) st.held = [h];
    else st.held.push(h);
    const key = st.parsed.ok ? st.parsed.request.sharingKey : undefined;
    if (key !== undefined) {
      this.keyIndex(key, h, 1);
      this.keysChanged.add(key);
    }
  }

  private release(st: SvcState, h: Holding, why?: string): void {
    if (why) this.noteLost(st, h.text, why);
    h.holders.splice(h.holders.indexOf(st.view.key), 1);
    st.held.splice(st.held.indexOf(h), 1);
    const key = st.parsed.ok ? st.parsed.request.sharingKey : undefined;
    if (key !== undefined) {
      this.keyIndex(key, h, -1);
      this.keysChanged.add(key);
    }
    if (h.holders.length === 0) {
      this.holdings.delete(h.text);
      this.sets[h.family].delete(h.value);
      this.removeFromPool(h);
      this.freed = true;
    }
  }

  private keyIndex(key: string, h: Holding, delta: number): void {
    let m = this.byKey.get(key);
    if (!m) {
      m = new Map();
      this.byKey.set(key, m);
    }
    const n = (m.get(h) ?? 0) + delta;
    if (n > 0) m.set(h, n);
    else m.delete(h);
    if (m.size === 0) this.byKey.delete(key);
  }

  private unindexKeys(st: SvcState): void {
    const key = st.parsed.ok ? st.parsed.request.sharingKey : undefined;
    if (key !== undefined) for (const h of st.held) this.keyIndex(key, h, -1);
  }

  private indexKeys(st: SvcState): void {
    const key = st.parsed.ok ? st.parsed.request.sharingKey : undefined;
    if (key !== undefined) for (const h of st.held) this.keyIndex(key, h, 1);
  }

  // ---------------------------------------------------------------- pool results

  private poolResult(p: CompiledPool): PoolResult {
    const used = BigInt(this.byPool.get(p.name)?.length ?? 0);
    const available = p.total > used ? p.total - used : 0n;
    const ready = usable(p);
    const conditions: PoolCondition[] = [
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        reason: ready ? 'Ready' : p.conflict ? 'Conflict' : p.problems.length > 0 ? 'Invalid' : 'Disabled',
        message: ready
          ? 'the pool allocates addresses'
          : `the pool ${this.unusableWhy(p)}; existing allocations stay`,
      },
      p.conflict
        ? { type: 'Conflict', status: 'True', reason: 'BlocksOverlap', message: p.conflict.message }
        : {
            type: 'Conflict',
            status: 'False',
            reason: 'NoOverlap',
            message: 'no block overlaps an older pool',
          },
      available === 0n
        ? {
            type: 'Exhausted',
            status: 'True',
            reason: 'NoFreeAddress',
            message: `all ${p.total} addresses are in use`,
          }
        : {
            type: 'Exhausted',
            status: 'False',
            reason: 'HasFreeAddresses',
            message: `${available} of ${p.total} addresses free`,
          },
    ];
    return {
      name: p.name,
      total: p.total.toString(),
      used: used.toString(),
      available: available.toString(),
      conditions,
    };
  }
}
