/**
 * PURE. When each owned IP is announced next, for all of them at once: one schedule and one
 * timer in the Responder instead of a timer (and a closure) per IP and burst step.
 *
 * An item added at time t is due at t + each burst offset, then at t + interval, and every
 * interval after the moment it was last taken. Every delay is a constant, so each delay has its
 * own FIFO whose due times never decrease (items are pushed in time order): adding, taking and
 * finding the next due time cost O(1) per item, with no timer and no sorting. The FIFOs keep
 * only the item and its due time, in two flat arrays each.
 *
 * Removal is lazy: the caller says which items are still alive when it takes them, and dead
 * ones are skipped (compact() drops them early when the caller sees too many).
 */

class Fifo<T> {
  private items: T[] = [];
  private dues: number[] = [];
  private head = 0;

  constructor(readonly delayMs: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T, now: number): void {
    this.items.push(item);
    this.dues.push(now + this.delayMs);
  }

  /** The head's due time, or undefined when empty. */
  peek(): number | undefined {
    return this.head < this.items.length ? this.dues[this.head] : undefined;
  }

  shift(): T {
    const item = this.items[this.head]!;
    this.items[this.head] = undefined as T;
    this.head++;
    // Reclaim the consumed prefix once it is half the arrays (amortised O(1)).
    if (this.head >= 1024 && this.head * 2 >= this.items.length) this.reset(this.head);
    else if (this.head === this.items.length) this.reset(this.head);
    return item;
  }

  keep(alive: (item: T) => boolean): void {
    const items: T[] = [];
    const dues: number[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      if (!alive(this.items[i]!)) continue;
      items.push(this.items[i]!);
      dues.push(this.dues[i]!);
    }
    this.items = items;
    this.dues = dues;
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.dues = [];
    this.head = 0;
  }

  private reset(from: number): void {
    this.items = this.items.slice(from);
    this.dues = this.dues.slice(from);
    this.head = 0;
  }
}

export interface AnnounceScheduleOptions {
  /** Offsets of the first announcements from the moment an item is added (0 = at once). */
  burstOffsetsMs: readonly number[];
  /** Then one announcement every interval; 0 = none after the burst. */
  intervalMs: number;
}

export class AnnounceSchedule<T> {
  private readonly burst: Fifo<T>[];
  private readonly periodic: Fifo<T> | undefined;
  private readonly all: Fifo<T>[];

  constructor(o: AnnounceScheduleOptions) {
    this.burst = o.burstOffsetsMs.map((d) => new Fifo<T>(d));
    this.periodic = o.intervalMs > 0 ? new Fifo<T>(o.intervalMs) : undefined;
    this.all = this.periodic ? [...this.burst, this.periodic] : [...this.burst];
  }

  /** Entries held, dead ones not yet skipped included. */
  get size(): number {
    let n = 0;
    for (const q of this.all) n += q.size;
    return n;
  }

  /** Schedules the burst and the first periodic announcement of an item gained at `now`. */
  add(item: T, now: number): void {
    for (const q of this.all) q.push(item, now);
  }

  /** The earliest due time, or undefined when nothing is scheduled. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const q of this.all) {
      const d = q.peek();
      if (d !== undefined && (next === undefined || d < next)) next = d;
    }
    return next;
  }

  /**
   * The alive items due at `now`, earliest first, at most `max`; the rest stay due. An item taken
   * from the periodic FIFO is due again one interval after `now`. Dead items are dropped.
   */
  take(now: number, max: number, alive: (item: T) => boolean): T[] {
    const out: T[] = [];
    while (out.length < max) {
      let q: Fifo<T> | undefined;
      let due = Number.POSITIVE_INFINITY;
      for (const c of this.all) {
        const d = c.peek();
        if (d !== undefined && d <= now && d < due) {
          q = c;
          due = d;
        }
      }
      if (!q) break;
      const item = q.shift();
      if (!alive(item)) continue;
      out.push(item);
      if (q === this.periodic) q.push(item, now);
    }
    return out;
  }

  /** Drops the entries of dead items now rather than when they come due. */
  compact(alive: (item: T) => boolean): void {
    for (const q of this.all) q.keep(alive);
  }

  clear(): void {
    for (const q of this.all) q.clear();
  }
}
