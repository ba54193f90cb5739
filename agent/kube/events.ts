/**
 * ADAPTER. events.k8s.io/v1 Events, aggregated so a loop cannot flood the API: the first
 * occurrence of (object, reason, type, note) creates an Event; repeats within the
 * aggregation window only bump a local count, written as the Event's `series` at most
 * once per seriesIntervalMs. A token bucket caps how many new Events are created. The window,
 * the series interval and the bucket run on monotonic time (a step of the wall clock neither
 * splits a series, delays its write by the step, nor empties the bucket); the times written
 * (eventTime, lastObservedTime) are wall clock.
 */
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { microTime } from './lease-record.ts';
import type { KubeClient } from './transport.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface EventRecorderOptions {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  /** reportingInstance: the node name. */
  instance: string;
  controller?: string;
  /** Repeats within this window join the same Event's series (default 10 min). */
  windowMs?: number;
  /** The series is written at most this often per Event (default 30 s). */
  seriesIntervalMs?: number;
  /** New Events: burst and refill (default 25, one per 2 s). */
  burst?: number;
  refillMs?: number;
}

interface Series {
  namespace: string;
  name: string | undefined;
  count: number;
  written: number;
  /** Wall clock (written in the Event). */
  firstAt: number;
  lastAt: number;
  /** Monotonic: the last repeat (the window) and the last write (the series interval). */
  lastSeen: number;
  lastWriteAt: number;
  timer: Timer | undefined;
  creating: Promise<void> | undefined;
}

export class EventRecorder {
  private readonly series = new Map<string, Series>();
  private tokens: number;
  /** Monotonic. */
  private refilledAt: number;
  private seq = 0;
  /** Counts for tests and metrics. */
  readonly stats = { created: 0, seriesWrites: 0, dropped: 0, failed: 0 };

  constructor(private readonly o: EventRecorderOptions) {
    this.tokens = o.burst ?? 25;
    this.refilledAt = monotonicNow(o.clock);
  }

  private takeToken(now: number): boolean {
    const burst = this.o.burst ?? 25;
    const refill = this.o.refillMs ?? 2_000;
    const add = Math.floor((now - this.refilledAt) / refill);
    if (add > 0) {
      this.tokens = Math.min(burst, this.tokens + add);
      this.refilledAt += add * refill;
    }
    if (this.tokens <= 0) return false;
    this.tokens--;
    return true;
  }

  record(regarding: ObjectRef, reason: string, type: 'Normal' | 'Warning', note: string): void {
    const now = this.o.clock.now();
    const mono = monotonicNow(this.o.clock);
    const key = [regarding.namespace, regarding.name, regarding.uid ?? '', reason, type, note].join('\u0000');
    const window = this.o.windowMs ?? 600_000;
    const s = this.series.get(key);
    if (s && mono - s.lastSeen < window) {
      s.count++;
      s.lastAt = now;
      s.lastSeen = mono;
      this.scheduleSeries(s);
      return;
    }
    this.gc(mono, window);
    if (!this.takeToken(mono)) {
      this.stats.dropped++;
      return;
    }
    const fresh: Series = {
      namespace: regarding.namespace,
      name: undefined,
      count: 1,
      written: 1,
      firstAt: now,
      lastAt: now,
      lastSeen: mono,
      lastWriteAt: mono,
      timer: undefined,
      creating: undefined,
    };
    this.series.set(key, fresh);
    fresh.creating = this.create(fresh, regarding, reason, type, note);
  }

  private gc(now: number, window: number): void {
    for (const [k, s] of this.series) {
      if (now - s.lastSeen >= window) {
        s.timer?.cancel();
        this.series.delete(k);
      }
    }
  }

  private async create(
    s: Series,
    regarding: ObjectRef,
    reason: string,
    type: string,
    note: string,
  ): Promise<void> {
    const name = `${regarding.name}.${s.firstAt.toString(16)}${(++this.seq).toString(16)}`;
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: regarding.namespace },
      eventTime: microTime(s.firstAt),
      reportingController: this.o.controller ?? 'edgelb.io/controller',
      reportingInstance: this.o.instance.slice(0, 128),
      action: reason.slice(0, 128),
      reason: reason.slice(0, 128),
      type,
      note: note.slice(0, 1024),
      regarding,
    };
    try {
      await this.o.client.request(
        'POST',
        `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(regarding.namespace)}/events`,
        {
          body,
        },
      );
      s.name = name;
      this.stats.created++;
    } catch (err) {
      this.stats.failed++;
      this.o.log.debug('event not recorded', { reason, error: errorMessage(err) });
    }
  }

  private scheduleSeries(s: Series): void {
    if (s.timer) return;
    const interval = this.o.seriesIntervalMs ?? 30_000;
    const wait = Math.max(0, s.lastWriteAt + interval - monotonicNow(this.o.clock));
    s.timer = this.o.clock.setTimer(wait, () => {
      s.timer = undefined;
      void this.writeSeries(s);
    });
  }

  private async writeSeries(s: Series): Promise<void> {
    await s.creating;
    if (!s.name || s.count === s.written) return;
    const count = s.count;
    s.lastWriteAt = monotonicNow(this.o.clock);
    try {
      await this.o.client.request(
        'PATCH',
        `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(s.namespace)}/events/${encodeURIComponent(s.name)}`,
        {
          body: { series: { count, lastObservedTime: microTime(s.lastAt) } },
          contentType: 'application/merge-patch+json',
        },
      );
      s.written = count;
      this.stats.seriesWrites++;
    } catch (err) {
      this.stats.failed++;
      this.o.log.debug('event series not updated', { error: errorMessage(err) });
    }
  }

  /** Writes pending series now (on shutdown). */
  async flush(): Promise<void> {
    const pending = [...this.series.values()].filter((s) => s.timer || s.count !== s.written);
    for (const s of pending) {
      s.timer?.cancel();
      s.timer = undefined;
    }
    await Promise.all(pending.map((s) => this.writeSeries(s)));
  }
}
