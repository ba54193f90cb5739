/**
 * ADAPTER. A self-healing informer: list, then watch with bookmarks from the list's
 * resourceVersion. 410 Gone (HTTP or ERROR event) relists after the base delay; any other
 * failure, or a watch silent longer than `silenceMs`, restarts with capped exponential
 * backoff and jitter, reset by a successful list or a watch event; the server ending a watch normally re-watches at once. Unlike client-node's
 * ListWatch it never stops by itself. The cache is keyed "namespace/name" and holds only
 * objects that pass `filter` (an object that stops passing is dropped).
 */
import { backoffDelay } from '../lib/backoff.ts';
import type { Clock, Timer } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { Counter } from '../lib/metrics.ts';
import { KubeApiError, type KubeClient, KubeTransportError, type WatchEvent } from './transport.ts';

export interface KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

export interface InformerOptions<T extends KubeObject> {
  /** Metric label and log name: "services", "nodes"... */
  resource: string;
  /** Collection path, e.g. /api/v1/services or /apis/edgelb.io/v1alpha1/loadbalancerippools */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  filter?: (o: T) => boolean;
  /**
   * Reduces a (filtered) object to what edgelb reads before it is cached, so the full object
   * is kept nowhere. Must return a new object and keep whatever a writer sends back.
   */
  project?: (o: T, previous: T | undefined) => T;
  /** Keep the keys of changed objects for takeChanges() (the reconcile loop's incremental path). */
  trackChanges?: boolean;
  client: KubeClient;
  clock: Clock;
  random: () => number;
  log: Logger;
  restarts: Counter;
  onChange?: () => void;
  /** A watch with no event (bookmarks count) for this long is restarted. Default 150 s. */
  silenceMs?: number;
  /** Server-side watch timeout; default 300-600 s (randomised, as client-go does). */
  watchTimeoutSeconds?: number;
  backoff?: { baseMs: number; capMs: number };
  /** List request timeout. */
  requestTimeoutMs?: number;
}

const EMPTY_KEYS: ReadonlySet<string> = new Set();

export function objectKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

interface ListBody<T> {
  metadata?: { resourceVersion?: string };
  items?: T[];
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private running = false;
  private abort: AbortController | undefined;
  private timer: Timer | undefined;
  private silenceTimer: Timer | undefined;
  private failures = 0;
  private _synced = false;
  private _lastError = '';
  private generation = 0;
  /** Keys added, changed or deleted since the last takeChanges(); `all` after a first list. */
  private dirty = new Set<string>();
  private dirtyAll = true;

  constructor(private readonly o: InformerOptions<T>) {}

  get synced(): boolean {
    return this._synced;
  }

  /** The last failure, cleared by the next successful list or watch event. */
  get lastError(): string {
    return this._lastError;
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** Number of cached objects. */
  get size(): number {
    return this.cache.size;
  }

  /**
   * The keys of objects added, changed or deleted since the last call, or 'all' when unknown
   * (before the first call, or when more keys changed than are worth listing). Needs trackChanges.
   */
  takeChanges(): ReadonlySet<string> | 'all' {
    if (this.dirtyAll || !this.o.trackChanges) {
      this.dirtyAll = false;
      if (this.dirty.size > 0) this.dirty = new Set();
      return 'all';
    }
    if (this.dirty.size === 0) return EMPTY_KEYS;
    const out = this.dirty;
    this.dirty = new Set();
    return out;
  }

  private markDirty(key: string): void {
    if (!this.o.trackChanges || this.dirtyAll) return;
    this.dirty.add(key);
    // Nobody is taking them (or a flood): stop listing keys, say 'all' instead.
    if (this.dirty.size > this.cache.size + 1024) {
      this.dirtyAll = true;
      this.dirty = new Set();
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0, 'list');
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.timer?.cancel();
    this.silenceTimer?.cancel();
    this.abort?.abort();
  }

  private schedule(ms: number, what: 'list' | 'watch'): void {
    this.timer?.cancel();
    const gen = this.generation;
    this.timer = this.o.clock.setTimer(ms, () => {
      if (!this.running || gen !== this.generation) return;
      void (what === 'list' ? this.relist() : this.watch());
    });
  }

  /**
   * Restarts after `reason`. A 410 Gone is the server answering correctly that our
   * resourceVersion expired: it relists after the base delay and does not add to the failure
   * count, or a leader whose watch failed a few times would stay blind for the capped delay.
   */
  private restart(reason: string, relist: boolean, expired = false): void {
    if (!this.running) return;
    this.o.restarts.inc({ resource: this.o.resource });
    const delay = backoffDelay(
      expired ? 0 : this.failures,
      { ...(this.o.backoff ?? { baseMs: 500, capMs: 30_000 }), jitter: 0.5 },
      this.o.random,
    );
    if (!expired) this.failures++;
    this.o.log.warn('watch restarting', { resource: this.o.resource, reason, delayMs: delay, relist });
    this.schedule(delay, relist ? 'list' : 'watch');
  }

  private query(): Record<string, string | undefined> {
    return { labelSelector: this.o.labelSelector, fieldSelector: this.o.fieldSelector };
  }

  private keep(o: T): boolean {
    // managedFields are often the bulk of an object and edgelb never reads them (a projection
    // leaves them out anyway: no delete, which would slow the object down for nothing)
    if (!this.o.project) delete (o.metadata as { managedFields?: unknown }).managedFields;
    return this.o.filter ? this.o.filter(o) : true;
  }

  private project(o: T, previous: T | undefined): T {
    return this.o.project ? this.o.project(o, previous) : o;
  }

  private async relist(): Promise<void> {
    const gen = this.generation;
    let body: ListBody<T>;
    try {
      body = await this.o.client.request<ListBody<T>>('GET', this.o.path, {
        query: this.query(),
        timeoutMs: this.o.requestTimeoutMs,
      });
    } catch (err) {
      if (gen !== this.generation || !this.running) return;
      this._lastError = `${err instanceof KubeTransportError ? 'API unreachable' : 'API error'}: list ${this.o.resource}: ${errorMessage(err)}`;
      this.restart(errorMessage(err), true);
      return;
    }
    if (gen !== this.generation || !this.running) return;
    const items = body.items ?? [];
    // The response is dropped item by item as the cache takes the projections.
    body.items = undefined;
    const next = new Map<string, T>();
    let changed = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      items[i] = undefined as unknown as T;
      if (!this.keep(item)) continue;
      const key = objectKey(item);
      const old = this.cache.get(key);
      // An unchanged object keeps its cached identity (and no new projection is made).
      if (
        old &&
        old.metadata.resourceVersion === item.metadata.resourceVersion &&
        old.metadata.resourceVersion
      ) {
        next.set(key, old);
        continue;
      }
      next.set(key, this.project(item, old));
      changed = true;
      this.markDirty(key);
    }
    for (const k of this.cache.keys()) {
      if (!next.has(k)) {
        changed = true;
        this.markDirty(k);
      }
    }
    this.cache.clear();
    for (const [k, v] of next) this.cache.set(k, v);
    this.resourceVersion = body.metadata?.resourceVersion ?? '';
    this._lastError = '';
    this.failures = 0;
    const first = !this._synced;
    this._synced = true;
    if (changed || first) this.o.onChange?.();
    this.schedule(0, 'watch');
  }

  private armSilence(ac: AbortController): void {
    this.silenceTimer?.cancel();
    this.silenceTimer = this.o.clock.setTimer(this.o.silenceMs ?? 150_000, () =>
      ac.abort(new Error('silent')),
    );
  }

  private async watch(): Promise<void> {
    const gen = this.generation;
    const ac = new AbortController();
    this.abort = ac;
    this.armSilence(ac);
    let gone = false;
    const timeout = this.o.watchTimeoutSeconds ?? Math.round(300 * (1 + this.o.random()));
    try {
      await this.o.client.watch<T | { code?: number; message?: string }>(
        this.o.path,
        {
          ...this.query(),
          allowWatchBookmarks: true,
          resourceVersion: this.resourceVersion,
          timeoutSeconds: timeout,
        },
        (e) => {
          if (gen !== this.generation) return;
          this.armSilence(ac);
          if (this.apply(e as WatchEvent<T>)) {
            gone = true;
            ac.abort(new Error('gone'));
          }
        },
        ac.signal,
        this.o.requestTimeoutMs,
      );
    } catch (err) {
      this.silenceTimer?.cancel();
      if (gen !== this.generation || !this.running) return;
      if (gone || (err instanceof KubeApiError && err.status === 410)) {
        this.restart('410 Gone', true, true);
        return;
      }
      const silent = ac.signal.aborted && (ac.signal.reason as Error | undefined)?.message === 'silent';
      const why = silent ? `no event for ${this.o.silenceMs ?? 150_000} ms` : errorMessage(err);
      const kind = silent || err instanceof KubeTransportError ? 'API unreachable' : 'API error';
      this._lastError = `${kind}: watch ${this.o.resource}: ${why}`;
      this.restart(why, false);
      return;
    }
    this.silenceTimer?.cancel();
    if (gen !== this.generation || !this.running) return;
    if (gone) this.restart('410 Gone', true, true);
    else this.schedule(0, 'watch'); // the server closed the watch normally (its timeout)
  }

  /** Applies one event; returns true when the event says the resourceVersion expired. */
  private apply(e: WatchEvent<T>): boolean {
    if (e.type === 'ERROR') {
      const s = e.object as unknown as { code?: number; message?: string };
      if (s.code === 410) return true;
      this.o.log.warn('watch error event', { resource: this.o.resource, code: s.code, message: s.message });
      return false;
    }
    const obj = e.object;
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    this.failures = 0;
    this._lastError = '';
    if (e.type === 'BOOKMARK') return false;
    const key = objectKey(obj);
    if (e.type === 'DELETED' || !this.keep(obj)) {
      if (this.cache.delete(key)) {
        this.markDirty(key);
        this.o.onChange?.();
      }
      return false;
    }
    this.cache.set(key, this.project(obj, this.cache.get(key)));
    this.markDirty(key);
    this.o.onChange?.();
    return false;
  }
}
