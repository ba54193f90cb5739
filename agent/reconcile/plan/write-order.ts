/**
 * PURE. The order of Service status writes: release before claim.
 *
 * An IP moving from one Service to another must leave the first one's status before it enters
 * the second's: if the release fails (500, partition, crash) the API would show one IP on two
 * incompatible Services, and a new leader restoring from it could move the wrong one. So writes
 * go in rounds: a write that adds an IP still in another Service's status (one that no longer
 * gets it) waits until that Service's release is written in an earlier round; if that release
 * fails, the write is left for the pass the release's success will trigger.
 *
 * Who holds an IP in status that its result no longer has: its status differs from its result,
 * so it is itself among the writes to do (a change, a moved result or a failed write puts a
 * Service there; a full pass checks all). Indexing those is enough, and O(writes).
 */

export interface WriteOrderView {
  /** The IPs the Service's status holds now; undefined when the Service is gone. */
  statusIPs(key: string): readonly string[] | undefined;
  /** The IPs its IPAM result gives it; undefined when the result is a failure or missing. */
  resultIPs(key: string): readonly string[] | undefined;
}

export interface Round {
  keys: string[];
  /** The writes block each other in a cycle (IPs swap): they go unordered. */
  unordered: boolean;
}

export class WriteOrder {
  /** IP -> the keys (of the writes to do) whose status holds it. */
  private index = new Map<string, string | string[]>();
  private pending: string[];
  private released = new Set<string>();
  private attempted = new Set<string>();

  constructor(
    todo: string[],
    private readonly view: WriteOrderView,
  ) {
    this.pending = todo;
    for (const key of todo) for (const ip of view.statusIPs(key) ?? []) this.indexIP(ip, key);
  }

  private indexIP(ip: string, key: string): void {
    const cur = this.index.get(ip);
    if (cur === undefined) this.index.set(ip, key);
    else if (typeof cur === 'string') {
      if (cur !== key) this.index.set(ip, [cur, key]);
    } else if (!cur.includes(key)) cur.push(key);
  }

  private holders(ip: string): readonly string[] {
    const cur = this.index.get(ip);
    return cur === undefined ? [] : typeof cur === 'string' ? [cur] : cur;
  }

  /** The Services whose release must be written before `key`'s write. */
  blockers(key: string): string[] {
    const want = this.view.resultIPs(key);
    const had = want && this.view.statusIPs(key);
    if (!want || !had) return [];
    const out: string[] = [];
    for (const ip of want) {
      if (had.includes(ip)) continue;
      for (const other of this.holders(ip)) {
        if (other === key || this.released.has(other)) continue;
        if (!this.view.resultIPs(other)?.includes(ip)) out.push(other);
      }
    }
    return out;
  }

  /**
   * At most `max` writes in this pass, plus every write involved in an IP move (a blocked write
   * and what blocks it), so the release order is kept. Returns the writes left for later, or
   * undefined when there were no more than `max`.
   */
  limit(max: number): string[] | undefined {
    if (this.pending.length <= max) return undefined;
    const involved = new Set<string>();
    for (const k of this.pending) {
      const b = this.blockers(k);
      if (b.length === 0) continue;
      involved.add(k);
      for (const x of b) involved.add(x);
    }
    const keep: string[] = [];
    const later: string[] = [];
    let free = 0;
    for (const k of this.pending) {
      if (involved.has(k)) keep.push(k);
      else if (free < max) {
        keep.push(k);
        free++;
      } else later.push(k);
    }
    this.pending = keep;
    return later;
  }

  /** True when no write waits for another: one round, no bookkeeping. */
  get unblocked(): boolean {
    return this.index.size === 0 || !this.pending.some((k) => this.blockers(k).length > 0);
  }

  /** The writes not handed out yet. */
  get left(): readonly string[] {
    return this.pending;
  }

  /** The next round of writes, or undefined when none is left or all left wait on failed releases. */
  next(): Round | undefined {
    if (this.pending.length === 0) return undefined;
    let keys = this.pending.filter((k) => this.blockers(k).length === 0);
    let unordered = false;
    if (keys.length === 0) {
      // A release that failed blocks for real (the next pass retries). Only a cycle (A takes
      // B's IP while B takes A's) blocks on writes never tried: waiting would block it for ever.
      keys = this.pending.filter((k) => this.blockers(k).every((b) => !this.attempted.has(b)));
      if (keys.length === 0) return undefined;
      unordered = true;
    }
    for (const k of keys) this.attempted.add(k);
    const inRound = new Set(keys);
    this.pending = keys.length === this.pending.length ? [] : this.pending.filter((k) => !inRound.has(k));
    return { keys, unordered };
  }

  /** The write of `key` succeeded: its release no longer blocks anyone. */
  written(key: string): void {
    this.released.add(key);
  }
}
