/**
 * ADAPTER. Requests and watch streams to the API server through Bun's fetch, with the
 * kubeconfig's TLS material passed as `tls` (the part client-node's transport loses
 * under Bun). Every request has a timeout; a non-2xx answer is a KubeApiError carrying
 * the HTTP status and the Status reason; a 403 logs the verb and resource RBAC lacks.
 * Bodies are bounded: a response over MAX_RESPONSE_BYTES or a watch line over
 * MAX_WATCH_LINE_BYTES (counted after decompression) is cut off and rejected, as is a body
 * that is not JSON: a KubeResponseError naming the request ("list services").
 */
import { type Clock, systemClock } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { readBoundedText, readWatchEvents, type WatchEvent } from './body-reader.ts';
import { describeRequest, type RequestQuery } from './describe-request.ts';
import {
  KubeApiError,
  KubeResponseError,
  KubeTransportError,
  MAX_RESPONSE_BYTES,
  MAX_WATCH_LINE_BYTES,
} from './kube-errors.ts';
import type { KubeEndpoint } from './kubeconfig.ts';

// The errors and bounds live in kube-errors.ts; re-exported here, where most callers import them.
export type { WatchEvent } from './body-reader.ts';
export {
  KubeApiError,
  KubeResponseError,
  KubeTransportError,
  MAX_RESPONSE_BYTES,
  MAX_WATCH_LINE_BYTES,
} from './kube-errors.ts';

export type FetchFn = (url: string, init: RequestInit & { tls?: unknown }) => Promise<Response>;

export interface RequestOptions {
  query?: RequestQuery;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface KubeClientOptions {
  log: Logger;
  fetch?: FetchFn;
  /** Default request timeout. */
  timeoutMs?: number;
  /** Times the watch connect timeout (default: the system clock). */
  clock?: Clock;
  /** Bounds (tests): default MAX_RESPONSE_BYTES and MAX_WATCH_LINE_BYTES. */
  maxResponseBytes?: number;
  maxWatchLineBytes?: number;
}

export class KubeClient {
  private readonly fetchFn: FetchFn;
  private readonly timeoutMs: number;
  private readonly forbiddenLogged = new Set<string>();

  constructor(
    readonly endpoint: KubeEndpoint,
    private readonly opts: KubeClientOptions,
  ) {
    this.fetchFn = opts.fetch ?? (fetch as unknown as FetchFn);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  url(path: string, query?: RequestOptions['query']): string {
    const u = new URL(this.endpoint.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private async send(
    method: string,
    path: string,
    o: RequestOptions,
    timeoutMs: number | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...(await this.endpoint.authHeaders()),
    };
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['Content-Type'] = o.contentType ?? 'application/json';
    }
    const signals: AbortSignal[] = [];
    if (o.signal) signals.push(o.signal);
    if (timeoutMs !== undefined) signals.push(AbortSignal.timeout(timeoutMs));
    const { tls } = this.endpoint;
    try {
      return await this.fetchFn(this.url(path, o.query), {
        method,
        headers,
        body,
        signal: signals.length ? AbortSignal.any(signals) : undefined,
        tls: {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          rejectUnauthorized: tls.rejectUnauthorized,
          serverName: tls.serverName,
        },
      });
    } catch (err) {
      const name = (err as { name?: string })?.name;
      const what = `${method} ${path}`;
      if (o.signal?.aborted) throw new KubeTransportError('aborted', `${what}: aborted`, { cause: err });
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new KubeTransportError('timeout', `${what}: no answer within ${timeoutMs} ms`, { cause: err });
      }
      throw new KubeTransportError('network', `${what}: ${errorMessage(err)}`, { cause: err });
    }
  }

  private async fail(method: string, path: string, o: RequestOptions, res: Response): Promise<never> {
    const text = await res.text().catch(() => '');
    let reason = '';
    let message = text.slice(0, 300) || res.statusText;
    try {
      const s = JSON.parse(text) as { reason?: string; message?: string };
      reason = s.reason ?? '';
      if (s.message) message = s.message;
    } catch {}
    const { verb, resource } = describeRequest(method, path, o.query);
    if (res.status === 403) {
      const key = `${verb} ${resource}`;
      if (!this.forbiddenLogged.has(key)) {
        this.forbiddenLogged.add(key);
        this.opts.log.error('RBAC denies a request edgelb needs; grant it (see `edgelb manifests`)', {
          verb,
          resource,
          path,
          message,
        });
      }
    }
    throw new KubeApiError(
      res.status,
      reason,
      `${verb} ${resource} ${path}: ${res.status} ${message}`,
      verb,
      path,
    );
  }

  /**
   * A JSON request; resolves with the parsed body of a 2xx answer, throws KubeApiError otherwise
   * (KubeResponseError for a body too large or not JSON, KubeTransportError if the read fails).
   */
  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, o, o.timeoutMs ?? this.timeoutMs);
    if (res.status < 200 || res.status > 299) return this.fail(method, path, o, res);
    const { verb, resource } = describeRequest(method, path, o.query);
    const what = `${verb} ${resource}`;
    const text = await readBoundedText(res, what, o.signal, this.opts.maxResponseBytes ?? MAX_RESPONSE_BYTES);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new KubeResponseError('malformed', `${what}: the response is not JSON (${errorMessage(err)})`);
    }
  }

  /**
   * A watch stream: calls onEvent for each line until the server ends the stream
   * (resolves) or it fails (rejects). Abort with signal; the caller bounds silence.
   */
  async watch<T = unknown>(
    path: string,
    query: RequestOptions['query'],
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
    connectTimeoutMs = this.timeoutMs,
  ): Promise<void> {
    const q = { ...query, watch: true };
    const connect = new AbortController();
    const timer = (this.opts.clock ?? systemClock).setTimer(connectTimeoutMs, () => connect.abort());
    const both = AbortSignal.any([signal, connect.signal]);
    let res: Response;
    try {
      res = await this.send('GET', path, { query: q, signal: both }, undefined);
    } catch (err) {
      if (connect.signal.aborted && !signal.aborted) {
        throw new KubeTransportError('timeout', `watch ${path}: no answer within ${connectTimeoutMs} ms`);
      }
      throw err;
    } finally {
      timer.cancel();
    }
    if (res.status !== 200) return this.fail('GET', path, { query: q }, res);
    if (!res.body) return;
    const { resource } = describeRequest('GET', path);
    const what = `watch ${resource}`;
    const limit = this.opts.maxWatchLineBytes ?? MAX_WATCH_LINE_BYTES;
    await readWatchEvents(res.body, what, path, signal, limit, onEvent);
  }
}
