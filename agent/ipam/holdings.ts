/**
 * PURE. The holding index: every allocated address once, with its pool and its holders, built
 * to cost little memory at 100,000 Services.
 *
 * An address is its own IP object (one per address, not two). Allocated values are kept per
 * family as runs in an AVL tree (RunSet), so the lowest free address of a range is one
 * O(log n) lookup and a /64 costs memory only for what is allocated. Holdings are also listed
 * per pool (a plain array with swap-remove: ~8 bytes an address where a Set cost ~52) and per
 * sharing key, so a pool or key event visits only its own holders.
 */
import type { Family, IP, IPRange } from '../net/ip.ts';
import type { Hold } from './holds.ts';
import { RunSet } from './run-set.ts';

/** An allocated address. */
export interface Holding extends IP {
  text: string;
  pool: string;
  /** Index in the pool's list for `pool`. */
  slot: number;
  /** Keys of the Services holding it (more than one only when they share). */
  holders: string[];
  /** Set while the address is held for a deleted Service (holders is then empty; holds.ts). */
  hold?: Hold;
}

/**
 * Shared empty lists: an empty array literal costs 64 bytes, a one-element one 48, so callers
 * replace these with `[x]` instead of pushing. Frozen: a push by mistake throws.
 */
export const NO_HOLDINGS = Object.freeze([]) as unknown as Holding[];
const NO_HOLDERS = Object.freeze([]) as unknown as string[];

export class HoldingIndex {
  private sets: Record<Family, RunSet> = { 4: new RunSet(), 6: new RunSet() };
  private byText = new Map<string, Holding>();
  private byPool = new Map<string, Holding[]>();
  /** Sharing key -> holdings with at least one holder using that key (and how many). */
  private byKey = new Map<string, Map<Holding, number>>();
  /** Between bulkStart() and bulkEnd(): values for RunSet.of instead of one add each. */
  private collected: Record<Family, bigint[]> | undefined;

  clear(): void {
    this.sets = { 4: new RunSet(), 6: new RunSet() };
    this.byText.clear();
    this.byPool.clear();
    this.byKey.clear();
  }

  /** New holdings are only collected until bulkEnd() builds the run sets from them at once. */
  bulkStart(): void {
    this.collected = { 4: [], 6: [] };
  }

  bulkEnd(): void {
    const c = this.collected;
    if (!c) return;
    this.sets = { 4: RunSet.of(c[4]), 6: RunSet.of(c[6]) };
    this.collected = undefined;
  }

  get(text: string): Holding | undefined {
    return this.byText.get(text);
  }

  /** The lowest address of `range` nobody holds. */
  lowestFree(range: IPRange): bigint | undefined {
    return this.sets[range.family].lowestFree(range.first, range.last);
  }

  /** How many addresses of `pool` are held. */
  count(pool: string): number {
    return this.byPool.get(pool)?.length ?? 0;
  }

  inPool(pool: string): readonly Holding[] {
    return this.byPool.get(pool) ?? NO_HOLDINGS;
  }

  /** The holdings some holder with sharing key `key` holds. */
  withKey(key: string): Iterable<Holding> {
    return this.byKey.get(key)?.keys() ?? NO_HOLDINGS;
  }

  /** A holding without holders yet, owned by `pool`. */
  create(family: Family, value: bigint, text: string, pool: string): Holding {
    const h: Holding = { family, value, text, pool: '', slot: 0, holders: NO_HOLDERS };
    this.byText.set(text, h);
    if (this.collected) this.collected[family].push(value);
    else this.sets[family].add(value);
    this.addToPool(h, pool);
    return h;
  }

  /** Forgets a holding nobody holds any more: its address is free. */
  drop(h: Holding): void {
    this.byText.delete(h.text);
    this.sets[h.family].delete(h.value);
    this.removeFromPool(h);
  }

  move(h: Holding, pool: string): void {
    this.removeFromPool(h);
    this.addToPool(h, pool);
  }

  /** Counts one more (+1) or one fewer (-1) holder with sharing key `key` on `h`. */
  keyIndex(key: string, h: Holding, delta: number): void {
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
}
