/**
 * PURE. The keys of an informer's objects added, changed or deleted since the last take(), for
 * the reconcile loop's incremental path; 'all' when unknown (before the first take, when not
 * tracking, or when more keys changed than are worth listing).
 */

const EMPTY_KEYS: ReadonlySet<string> = new Set();

/** Keys listed beyond the cache's size before giving up and saying 'all'. */
const SLACK = 1024;

export class ChangedKeys {
  private dirty = new Set<string>();
  private all = true;

  constructor(private readonly tracking: boolean) {}

  take(): ReadonlySet<string> | 'all' {
    // While 'all' is pending (or not tracking) mark() keeps no key: nothing to drop here.
    if (this.all || !this.tracking) {
      this.all = false;
      return 'all';
    }
    if (this.dirty.size === 0) return EMPTY_KEYS;
    const out = this.dirty;
    this.dirty = new Set();
    return out;
  }

  mark(key: string, cacheSize: number): void {
    if (!this.tracking || this.all) return;
    this.dirty.add(key);
    // Nobody is taking them (or a flood): stop listing keys, say 'all' instead.
    if (this.dirty.size > cacheSize + SLACK) {
      this.all = true;
      this.dirty = new Set();
    }
  }
}
