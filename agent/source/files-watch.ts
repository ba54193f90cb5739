/**
 * Watches the manifests directory and calls onFire once things have been quiet for
 * debounceMs (trailing debounce, never postponed beyond 10 periods under a stream of
 * changes, counted on monotonic time so that a wall-clock step neither fires it early nor
 * postpones it while changes keep coming). A directory that is missing or whose watch fails is
 * looked for again every few seconds.
 */
import { type FSWatcher, watch } from 'node:fs';
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';

/** How often a missing or broken manifests directory is looked for again. */
export const REWATCH_MS = 5000;

export interface DirWatchOptions {
  dir: string;
  clock: Clock;
  log: Logger;
  debounceMs: number;
  onFire: () => void;
}

export class DebouncedDirWatch {
  private watcher: FSWatcher | undefined;
  private pending: { timer: Timer; first: number } | undefined;
  private rewatch: Timer | undefined;
  private stopped = false;

  constructor(private readonly opts: DirWatchOptions) {}

  start(): void {
    if (this.stopped) return;
    this.rewatch = undefined;
    try {
      this.watcher = watch(this.opts.dir, { persistent: false }, () => this.poke());
      this.watcher.on('error', (err) => {
        this.opts.log.warn('watching the manifests directory failed; retrying', { error: errorMessage(err) });
        this.watcher?.close();
        this.watcher = undefined;
        this.poke();
        this.rewatch ??= this.opts.clock.setTimer(REWATCH_MS, () => this.start());
      });
    } catch {
      // Missing directory: the loader reports it; look again later and reload once it is there.
      this.rewatch = this.opts.clock.setTimer(REWATCH_MS, () => {
        this.start();
        if (this.watcher) this.poke();
      });
    }
  }

  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Something changed: fire after the quiet period. */
  poke(): void {
    if (this.stopped) return;
    const now = monotonicNow(this.opts.clock);
    const first = this.pending?.first ?? now;
    if (this.pending && now - first >= this.opts.debounceMs * 10) return;
    this.pending?.timer.cancel();
    this.pending = {
      first,
      timer: this.opts.clock.setTimer(this.opts.debounceMs, () => {
        this.pending = undefined;
        this.opts.onFire();
      }),
    };
  }

  /** Drops a pending fire (an explicit reload just happened). */
  cancel(): void {
    this.pending?.timer.cancel();
    this.pending = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    this.cancel();
    this.rewatch?.cancel();
    this.rewatch = undefined;
  }
}
