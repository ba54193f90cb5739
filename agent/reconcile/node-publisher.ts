/**
 * Writes this node's EdgeLBNode status: only when it changed, and at most once every
 * `minIntervalMs` (default 5 s), whatever the churn. Checked after every reconcile pass
 * (`poke`) and every `minIntervalMs` anyway, since sessions change state without a pass.
 * One write in flight at a time; a failed write is retried at the next check. All on monotonic
 * time: a step of the wall clock neither stops the writes for its length nor lets them through
 * faster (the "since" times in the status are wall clock, made by plan/node-status.ts).
 */
import type { EdgeLBNodeStatus } from '../api/edgelb-node.ts';
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Registry } from '../lib/metrics.ts';

export const NODE_STATUS_MIN_INTERVAL_MS = 5000;
/** Checks (building and comparing the status) at most this many times per interval. */
const CHECKS_PER_INTERVAL = 5;

export interface NodePublisherOptions {
  clock: Clock;
  /** The status now; undefined while there is nothing to say yet (source not synced). */
  snapshot: () => EdgeLBNodeStatus | undefined;
  write: (status: EdgeLBNodeStatus) => Promise<void>;
  log: Logger;
  metrics: Registry;
  minIntervalMs?: number;
}

export class NodePublisher {
  private timer: Timer | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  private written: string | undefined;
  private inFlight = false;
  private stopped = false;
  private lastError = '';
  private readonly interval: number;
  private readonly m;

  constructor(private readonly o: NodePublisherOptions) {
    this.interval = o.minIntervalMs ?? NODE_STATUS_MIN_INTERVAL_MS;
    this.m = {
      writes: o.metrics.counter(
        'edgelb_node_status_writes_total',
        "Writes of this node's EdgeLBNode status.",
      ),
      errors: o.metrics.counter(
        'edgelb_node_status_write_errors_total',
        "Failed writes of this node's EdgeLBNode status (retried).",
      ),
    };
    this.m.writes.inc({}, 0);
    this.m.errors.inc({}, 0);
  }

  /** Something may have changed: check as soon as the rate allows. */
  poke(): void {
    if (this.stopped) return;
    this.schedule(
      Math.max(
        monotonicNow(this.o.clock),
        this.lastWriteAt + this.interval,
        this.lastCheckAt + this.interval / CHECKS_PER_INTERVAL,
      ),
    );
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.o.clock.setTimer(at - monotonicNow(this.o.clock), () => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.check();
    });
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    if (this.inFlight) {
      this.o.log.debug('EdgeLBNode status write still in flight; checking again later');
      return this.schedule(monotonicNow(this.o.clock) + this.interval);
    }
    this.lastCheckAt = monotonicNow(this.o.clock);
    const status = this.o.snapshot();
    const json = status && JSON.stringify(status);
    if (status && json !== this.written && monotonicNow(this.o.clock) >= this.lastWriteAt + this.interval) {
      this.inFlight = true;
      this.lastWriteAt = monotonicNow(this.o.clock);
      try {
        await this.o.write(status);
        this.written = json;
        this.m.writes.inc();
        this.o.log.debug('EdgeLBNode status written', {
          ms: Math.round(monotonicNow(this.o.clock) - this.lastWriteAt),
        });
        this.lastError = '';
      } catch (err) {
        this.m.errors.inc();
        const msg = (err as Error).message;
        if (msg !== this.lastError)
          this.o.log.warn('EdgeLBNode status write failed; retrying', { error: msg });
        this.lastError = msg;
      } finally {
        this.inFlight = false;
      }
    }
    // The periodic check: sessions change state without a reconcile pass.
    this.schedule(Math.max(monotonicNow(this.o.clock) + this.interval, this.lastWriteAt + this.interval));
  }
}
