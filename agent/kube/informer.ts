/**
 * ADAPTER. A self-healing informer: list, then watch with bookmarks from the list's
 * resourceVersion. 410 Gone (HTTP or ERROR event) relists after the base delay; any other
 * failure, or a watch silent longer than `silenceMs`, restarts with capped exponential
 * backoff and jitter, reset by a successful list or a watch event; the server ending a watch normally re-watches at once. Unlike client-node's
 * ListWatch it never stops by itself. The cache (informer-cache.ts) is keyed "namespace/name"
 * and holds only objects that pass `filter` (an object that stops passing is dropped).
 *
 * Bad data never stops it and is never read as "empty": a list whose `items` is not an array of
 * named objects of the right kind, an event that is not one, a body that is not JSON or too
 * large (transport.ts), or any error while handling an item, rejects the whole response (the
 * cache stays as the last complete list had it, unsynced before the first one), is counted
 * (`malformed`), logged once per episode with the resource named, and restarts with the same
 * backoff as any failure; `lastError` says why until a list is read in full.
 */
import { backoffDelay } from '../lib/backoff.ts';
import type { Timer } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import { InformerCache, MalformedError } from './informer-cache.ts';
import type { InformerOptions, KubeObject } from './informer-options.ts';
import { article, checkWatchEvent } from './response-shape.ts';
import { KubeApiError, KubeResponseError, KubeTransportError, type WatchEvent } from './transport.ts';

export { type InformerOptions, type KubeObject, objectKey } from './informer-options.ts';

export class Informer<T extends KubeObject> {
  private readonly cache: InformerCache<T>;
  private resourceVersion = '';
  private running = false;
  private abort: AbortController | undefined;
  private timer: Timer | undefined;
  private silenceTimer: Timer | undefined;
  private failures = 0;
  private _synced = false;
  private _lastError = '';
  private generation = 0;
  /** A malformed response was logged and the API has not been seen sane since. */
  private malformedLogged = false;
  /**
   * A watch event was rejected: a good list alone does not end the episode (nor reset the
   * backoff, or a list that is fine followed by a watch that is not would loop at the base
   * delay); the next valid watch event (bookmarks count) does.
   */
  private watchSuspect = false;

  constructor(private readonly o: InformerOptions<T>) {
    this.cache = new InformerCache(o);
  }

  get synced(): boolean {
    return this._synced;
  }

  /** The metric label and log name ("services"). */
  get resource(): string {
    return this.o.resource;
  }

  /** The last failure, cleared by the next successful list or watch event. */
  get lastError(): string {
    return this._lastError;
  }

  list(): T[] {
    return this.cache.list();
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
    return this.cache.takeChanges();
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
      // relist() and watch() catch their own errors; this is the net under them, so a bug can
      // never leave the informer stopped without a retry.
      (what === 'list' ? this.relist() : this.watch()).catch((err: unknown) => {
        if (!this.running || gen !== this.generation) return;
        this._lastError = `internal error: ${what} ${this.o.resource}: ${errorMessage(err)}`;
        this.restart(errorMessage(err), true);
      });
    });
  }

  /**
   * Restarts after `reason`. A 410 Gone is the server answering correctly that our
   * resourceVersion expired: it relists after the base delay and does not add to the failure
   * count, or a leader whose watch failed a few times would stay blind for the capped delay.
   */
  private restart(reason: string, relist: boolean, expired = false, quiet = false): void {
    if (!this.running) return;
    this.o.restarts.inc({ resource: this.o.resource });
    const delay = backoffDelay(
      expired ? 0 : this.failures,
      { ...(this.o.backoff ?? { baseMs: 500, capMs: 30_000 }), jitter: 0.5 },
      this.o.random,
    );
    if (!expired) this.failures++;
    const fields = { resource: this.o.resource, reason, delayMs: delay, relist };
    if (quiet) this.o.log.debug('watch restarting', fields);
    else this.o.log.warn('watch restarting', fields);
    this.schedule(delay, relist ? 'list' : 'watch');
  }

  private query(): Record<string, string | undefined> {
    return { labelSelector: this.o.labelSelector, fieldSelector: this.o.fieldSelector };
  }

  /**
   * Rejects a response for its content: counted, logged once per episode (the resource and the
   * reason, never the data), `lastError` set, then a relist with the usual backoff.
   */
  private rejected(step: 'list' | 'watch', reason: string): void {
    this.o.malformed?.inc({ resource: this.o.resource });
    if (step === 'watch') this.watchSuspect = true;
    const keeping = this._synced
      ? 'the last complete list is kept until one is read in full'
      : `${this.o.resource} stay unsynced until a list is read in full`;
    this._lastError = `malformed response: ${step} ${this.o.resource}: ${reason}; ${keeping}`;
    const first = !this.malformedLogged;
    if (first) {
      this.malformedLogged = true;
      this.o.log.warn('rejected a malformed API response', {
        resource: this.o.resource,
        step,
        reason,
      });
    }
    this.restart(reason, true, false, !first);
  }

  private async relist(): Promise<void> {
    const gen = this.generation;
    let body: unknown;
    try {
      body = await this.o.client.request<unknown>('GET', this.o.path, {
        query: this.query(),
        timeoutMs: this.o.requestTimeoutMs,
      });
    } catch (err) {
      if (gen !== this.generation || !this.running) return;
      if (err instanceof KubeResponseError) {
        this.rejected('list', errorMessage(err));
        return;
      }
      this._lastError = `${err instanceof KubeTransportError ? 'API unreachable' : 'API error'}: list ${this.o.resource}: ${errorMessage(err)}`;
      this.restart(errorMessage(err), true);
      return;
    }
    if (gen !== this.generation || !this.running) return;
    let changed: boolean;
    try {
      const list = this.cache.replace(body);
      changed = list.changed;
      this.resourceVersion = list.resourceVersion;
    } catch (err) {
      const reason = err instanceof MalformedError ? err.message : `the list failed: ${errorMessage(err)}`;
      this.rejected('list', reason);
      return;
    }
    if (!this.watchSuspect) this.sane();
    const first = !this._synced;
    this._synced = true;
    if (changed || first) this.o.onChange?.();
    this.schedule(0, 'watch');
  }

  /** The API answered well: the failure count, the error and a malformed episode end. */
  private sane(): void {
    this._lastError = '';
    this.failures = 0;
    this.watchSuspect = false;
    if (this.malformedLogged) {
      this.malformedLogged = false;
      this.o.log.info('API responses are well-formed again', { resource: this.o.resource });
    }
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
    let bad = '';
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
          if (gen !== this.generation || ac.signal.aborted) return;
          this.armSilence(ac);
          const checked = checkWatchEvent(e, this.o.kind);
          if (!checked.ok) bad = checked.reason;
          else {
            try {
              if (this.apply(checked.value as unknown as WatchEvent<T>)) {
                gone = true;
                ac.abort(new Error('gone'));
              }
            } catch (err) {
              bad = `${article(checked.value.type)} event could not be read: ${errorMessage(err)}`;
            }
          }
          if (bad) {
            this.silenceTimer?.cancel();
            ac.abort(new Error('malformed'));
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
      // An event edgelb cannot read may have been any change: relist to learn the truth.
      if (bad || err instanceof KubeResponseError) {
        this.rejected('watch', bad || errorMessage(err));
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
    if (bad) this.rejected('watch', bad);
    else if (gone) this.restart('410 Gone', true, true);
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
    this.sane();
    if (e.type === 'BOOKMARK') return false;
    const changed = e.type === 'DELETED' ? this.cache.delete(obj) : this.cache.upsert(obj);
    if (changed) this.o.onChange?.();
    return false;
  }
}
