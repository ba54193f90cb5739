/**
 * A full garbage collection, so the heap a burst grew is returned instead of kept: once the
 * loop has been idle for `delayMs` after passes that handled at least `after` Services, at the
 * start of a pass over a burst of changes, and during a long burst every 2 x `after` status
 * writes. Default: Bun.gc(true), plus Bun.shrink() once quiet, when running on Bun.
 */
import type { Clock, Timer } from '../lib/clock.ts';
import { releaseAfterBurst } from '../lib/release-pages.ts';

/**
 * Bun.gc(true) during a burst; once quiet, also Bun.shrink(), which hands freed pages back to
 * the system (and drops compiled code, so not mid-burst): settled RSS about 5 MiB lower at 10k;
 * and the binary's pages the burst touched (lib/release-pages.ts, at most once a minute).
 */
export function defaultCollect(quiet: boolean): (() => void) | undefined {
  const bun = (globalThis as { Bun?: { gc?: (force: boolean) => void; shrink?: () => void } }).Bun;
  if (!bun?.gc) return undefined;
  return () => {
    bun.gc?.(true);
    if (!quiet) return;
    bun.shrink?.();
    releaseAfterBurst(performance.now());
  };
}

const COLLECT_AFTER = 1000;
const COLLECT_DELAY_MS = 1000;

export interface CollectorOptions {
  clock: Clock;
  collect?: () => void;
  after?: number;
  delayMs?: number;
}

export class Collector {
  /** Services handled (changes and writes) since the last collection. */
  private work = 0;
  /** Status writes since the last collection during a burst. */
  private writes = 0;
  private timer: Timer | undefined;
  private readonly after: number;

  constructor(private readonly o: CollectorOptions) {
    this.after = o.after ?? COLLECT_AFTER;
  }

  noteWork(n = 1): void {
    this.work += n;
  }

  /** A pass over a burst of changes (the echoes of thousands of writes) starts from a collected heap. */
  noteChanges(n: number): void {
    this.work += n;
    if (n >= this.after) this.collectNow();
  }

  noteWrite(): void {
    this.work++;
    this.writes++;
    if (this.writes >= 2 * this.after) this.collectNow();
  }

  private collectNow(): void {
    this.writes = 0;
    (this.o.collect ?? defaultCollect(false))?.();
  }

  /** After a run: collect once the loop has been quiet for the delay (unless `busy()` then). */
  whenQuiet(busy: () => boolean): void {
    if (this.work < this.after) return;
    const collect = this.o.collect ?? defaultCollect(true);
    if (!collect) return;
    this.timer?.cancel();
    this.timer = this.o.clock.setTimer(this.o.delayMs ?? COLLECT_DELAY_MS, () => {
      this.timer = undefined;
      if (busy()) return; // the run that ends will ask again
      this.work = 0;
      this.writes = 0;
      collect();
    });
  }

  stop(): void {
    this.timer?.cancel();
  }
}
