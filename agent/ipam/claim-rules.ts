/**
 * PURE. The claim rules, written once: whether a Service may keep an address it holds (or finds
 * in its status), may take the address it asks for (explicit), or which address it gets
 * (automatic: a partner's shared address first, else the lowest free one of the first open
 * pool), and why not. The rules decide; the caller (allocation.ts) records the claim.
 */
import type { Family, IP } from '../net/ip.ts';
import { formatAddr } from './addr.ts';
import type { Holding, HoldingIndex } from './holdings.ts';
import { type Hold, rfc3339 } from './holds.ts';
import { type CompiledPool, contains, unusableWhy, usable } from './pools.ts';
import type { Request } from './request.ts';
import { matchesAll } from './selector.ts';
import { famName, type SvcState } from './service-state.ts';
import { canShare, type Verdict } from './sharing.ts';
import type { FailureReason } from './types.ts';

export type Failure = { ok: false; reason: FailureReason; message: string };
/** The holding to claim (an existing one, or one just created for a free address), or why not. */
export type Claim = Holding | Failure;
type Refusal = Verdict & { ok: false };

export const fail = (reason: FailureReason, message: string): Failure => ({ ok: false, reason, message });
export const isFailure = (c: Claim): c is Failure => (c as Failure).ok === false;

/** What the rules read of the allocator. */
export interface ClaimWorld {
  /** Pools in poolOrder (oldest first). */
  readonly ordered: readonly CompiledPool[];
  pool(name: string): CompiledPool | undefined;
  readonly index: HoldingIndex;
  service(key: string): SvcState | undefined;
  /** A holding for a free address of the owner pool (not claimed yet). */
  create(family: Family, value: bigint): Holding;
  /**
   * The pools are otherwise full: the oldest address held for a deleted Service in one of
   * `pools`, no longer held (recorded for st's Event); undefined when there is none.
   */
  takeOldestHold(st: SvcState, pools: readonly CompiledPool[], fam: Family): Holding | undefined;
}

/** "held for ns/name until T": why another Service cannot have a held address yet. */
export function heldWhy(h: Holding): string {
  const hold = h.hold as Hold;
  return `held for ${hold.key} until ${rfc3339(hold.expires)} (that Service was deleted; it gets the address back if re-created before then)`;
}

/** The pool's serviceSelector accepts the Service (an invalid selector is reported elsewhere). */
export function selects(p: CompiledPool, r: Request): boolean {
  return p.matches === undefined || p.matches === matchesAll || p.matches(r.labels);
}

/** The owner of an address: the oldest pool whose usable ranges contain it. */
export function ownerOf(
  ordered: readonly CompiledPool[],
  family: Family,
  value: bigint,
): CompiledPool | undefined {
  for (const p of ordered) if (contains(p, family, value)) return p;
  return undefined;
}

/** "Can these Services share?": the first other holder of `h` that `st` may not share it with. */
export function sharingConflict(w: ClaimWorld, st: SvcState, r: Request, h: Holding): Refusal | undefined {
  for (const k of h.holders) {
    if (k === st.view.key) continue;
    const other = w.service(k) as SvcState;
    if (!other.parsed.ok) continue;
    const v = canShare({ view: st.view, request: r }, { view: other.view, request: other.parsed.request });
    if (!v.ok) return v;
  }
  return undefined;
}

/**
 * Why `ip` (held by st as `h`, or found in its status) is not valid for it any more; undefined
 * if valid. A holding whose owner pool changed is moved to it on the way.
 */
export function invalidFor(
  w: ClaimWorld,
  st: SvcState,
  r: Request,
  ip: IP,
  text: string,
  h: Holding | undefined,
): string | undefined {
  if (!r.families.includes(ip.family)) return `the Service no longer wants an ${famName(ip.family)} address`;
  if (r.ips.length > 0 && !r.ipTexts.includes(text))
    return `${r.ipsSource} now asks for ${r.ipTexts.join(', ')}`;
  const owner = ownerOf(w.ordered, ip.family, ip.value);
  if (!owner) return 'no pool contains it any more';
  if (h && h.pool !== owner.name) w.index.move(h, owner.name);
  if (r.pool !== undefined && r.pool !== owner.name)
    return `the Service asks for pool ${r.pool}, it is in pool ${owner.name}`;
  if (!selects(owner, r)) return `pool ${owner.name}'s serviceSelector does not match the Service`;
  if (h?.hold && h.hold.key !== st.view.key) return heldWhy(h);
  return h ? sharingConflict(w, st, r, h)?.message : undefined;
}

/** The address the Service names (edgelb.io/ips or loadBalancerIP). */
export function claimExplicit(w: ClaimWorld, st: SvcState, r: Request, ip: IP): Claim {
  const text = formatAddr(ip);
  const owner = ownerOf(w.ordered, ip.family, ip.value);
  if (!owner) return fail('no-pool-for-ip', `${text} is in no pool`);
  if (r.pool !== undefined && r.pool !== owner.name)
    return fail('no-pool-for-ip', `${text} is in pool ${owner.name}, not in the requested pool ${r.pool}`);
  if (!selects(owner, r))
    return fail(
      'no-pool-for-ip',
      `${text} is in pool ${owner.name}, whose serviceSelector does not match the Service`,
    );
  const h = w.index.get(text);
  if (h?.hold) return h.hold.key === st.view.key ? h : fail('ip-held', `${text} is ${heldWhy(h)}`);
  if (h) {
    const v = sharingConflict(w, st, r, h);
    if (!v) return h;
    return fail(v.reason, v.reason === 'ip-in-use' ? `${text} is ${v.message}` : `${text}: ${v.message}`);
  }
  if (!usable(owner))
    return fail('no-pool-for-ip', `${text} is in pool ${owner.name}, which ${unusableWhy(owner)}`);
  return w.create(ip.family, ip.value);
}

/** The lowest free address of pool `p`, as a new holding. */
function lowestFree(w: ClaimWorld, p: CompiledPool, fam: Family): Holding | undefined {
  for (const range of p.ranges[fam]) {
    const v = w.index.lowestFree(range);
    if (v !== undefined) return w.create(fam, v);
  }
  return undefined;
}

/** A pool may hand out an address of its own accord: open, and autoAssign or asked for by name. */
const open = (p: CompiledPool, r: Request) => usable(p) && (p.spec.autoAssign || r.pool === p.name);

/** An address of family `fam` from the pools, for a Service that names none. */
export function claimAuto(w: ClaimWorld, st: SvcState, r: Request, fam: Family): Claim {
  if (r.sharingKey === undefined) {
    // The common case, without building lists: the same pools, in the same order, as below.
    for (const p of w.ordered) {
      if (p.ranges[fam].length === 0 || (r.pool !== undefined && p.name !== r.pool)) continue;
      if (!open(p, r) || !selects(p, r)) continue;
      const h = lowestFree(w, p, fam);
      if (h) return h;
    }
  }
  const eligible = w.ordered.filter(
    (p) => p.ranges[fam].length > 0 && (r.pool === undefined || p.name === r.pool) && selects(p, r),
  );
  if (r.sharingKey !== undefined) {
    const shared = claimShared(w, st, r, fam, eligible);
    if (shared) return shared;
  }
  const pools = eligible.filter((p) => open(p, r));
  if (pools.length === 0) return fail('no-matching-pool', noPoolWhy(w, r, fam, eligible));
  for (const p of pools) {
    const h = lowestFree(w, p, fam);
    if (h) return h;
  }
  const taken = w.takeOldestHold(st, pools, fam);
  if (taken) return taken;
  const one = pools.length === 1;
  return fail(
    'pool-exhausted',
    `${one ? 'pool' : 'pools'} ${pools.map((p) => p.name).join(', ')} ${one ? 'has' : 'have'} no free ${famName(fam)} address`,
  );
}

/** The lowest address a partner under the same sharing key holds, or the first conflict. */
function claimShared(
  w: ClaimWorld,
  st: SvcState,
  r: Request,
  fam: Family,
  eligible: CompiledPool[],
): Claim | undefined {
  const cands = [...w.index.withKey(r.sharingKey as string)]
    .filter((h) => h.family === fam)
    .sort((a, b) => (a.value < b.value ? -1 : 1));
  let conflict: Failure | undefined;
  for (const h of cands) {
    if (!eligible.some((p) => p.name === h.pool)) continue;
    const v = sharingConflict(w, st, r, h);
    if (!v) return h;
    // A Service of another namespace without consent simply is not a partner.
    if (v.kind !== 'namespace') conflict ??= fail(v.reason, `${h.text}: ${v.message}`);
  }
  return conflict;
}

function noPoolWhy(w: ClaimWorld, r: Request, fam: Family, eligible: CompiledPool[]): string {
  if (r.pool !== undefined) {
    const p = w.pool(r.pool);
    if (!p) return `the requested pool ${r.pool} does not exist`;
    if (p.ranges[fam].length === 0) return `the requested pool ${r.pool} has no ${famName(fam)} block`;
    if (!selects(p, r)) return `the requested pool ${r.pool}'s serviceSelector does not match the Service`;
    return `the requested pool ${r.pool} ${unusableWhy(p)}`;
  }
  if (eligible.length === 0) return `no pool with ${famName(fam)} addresses selects the Service`;
  return `every pool that selects the Service is unavailable (${eligible
    .map((p) => `${p.name}: ${usable(p) ? 'autoAssign is false' : unusableWhy(p)}`)
    .join('; ')})`;
}
