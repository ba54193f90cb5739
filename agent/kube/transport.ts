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
import type { KubeEndpoint } from './kubeconfig.ts';

export type FetchFn = (url: string, init: RequestInit & { tls?: unknown }) => Promise<Response>;

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    /** The Status reason (NotFound, Conflict, Expired, Forbidden...) or "" */
    readonly reason: string,
    message: string,
    readonly verb: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The connection failed or timed out (no HTTP answer). */
export class KubeTransportError extends Error {
  readonly code: 'timeout' | 'network' | 'aborted';
  constructor(code: 'timeout' | 'network' | 'aborted', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeTransportError';
    this.code = code;
  }
}

/**
 * The largest response body read (64 MiB): a list of 10,000 Services is about 30 MiB with
 * managedFields. Anything larger is cut off rather than buffered without end.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** The largest watch event line (16 MiB): the API server refuses objects over about 1.5 MiB. */
export const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;

/** The server answered 2xx with a body edgelb will not use: too large or not JSON. */
export class KubeResponseError extends Error {
  constructor(
    readonly code: 'too-large' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'KubeResponseError';
  }
}

const NEWLINE = 10;

function mib(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

function concatBytes(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
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

/** "list services", "update leases"... from a method and path, for messages about RBAC. */
export function describeRequest(
  method: string,
  path: string,
  query?: RequestOptions['query'],
): {
  verb: string;
  resource: string;
} {
  const clean = path.split('?')[0] ?? path;
  const parts = clean.split('/').filter(Boolean);
  // /api/v1/... or /apis/group/version/...
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  const group = parts[0] === 'apis' ? (parts[1] ?? '') : '';
  if (rest[0] === 'namespaces' && rest.length >= 3) rest.splice(0, 2);
  const resource = rest[0] ?? '';
  const named = rest.length >= 2;
  const sub = rest[2] ? `/${rest[2]}` : '';
  const m = method.toUpperCase();
  let verb = 'get';
  if (m === 'GET') verb = query?.watch ? 'watch' : named ? 'get' : 'list';
  else if (m === 'POST') verb = 'create';
  else if (m === 'PUT') verb = 'update';
  else if (m === 'PATCH') verb = 'patch';
  else if (m === 'DELETE') verb = 'delete';
  return { verb, resource: `${resource}${sub}${group ? `.${group}` : ''}` };
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
    const text = await this.readBounded(res, what, o.signal);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new KubeResponseError('malformed', `${what}: the response is not JSON (${errorMessage(err)})`);
    }
  }

  /** The body as text, refused past the response bound (checked as it arrives, never buffered whole). */
  private async readBounded(res: Response, what: string, signal: AbortSignal | undefined): Promise<string> {
    const limit = this.opts.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    if (!res.body) return '';
    const reader = res.body.getReader();
    // Decoded as it arrives (no chunk is kept; the string pieces join without copying).
    const decoder = new TextDecoder();
    let text = '';
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > limit) {
          void reader.cancel().catch(() => {});
          throw new KubeResponseError('too-large', `${what}: the response exceeds ${mib(limit)}`);
        }
        text += decoder.decode(value, { stream: true });
      }
      text += decoder.decode();
    } catch (err) {
      if (err instanceof KubeResponseError) throw err;
      if (signal?.aborted) throw new KubeTransportError('aborted', `${what}: aborted`, { cause: err });
      const name = (err as { name?: string })?.name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new KubeTransportError('timeout', `${what}: the response did not complete in time`, {
          cause: err,
        });
      throw new KubeTransportError('network', `${what}: reading the response: ${errorMessage(err)}`, {
        cause: err,
      });
    } finally {
      reader.releaseLock?.();
    }
    return text;
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
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    // The current line's bytes so far; lines are split on the newline byte (never inside a
    // UTF-8 sequence), each checked against the bound as it grows.
    let parts: Uint8Array[] = [];
    let lineBytes = 0;
    const emit = (last: Uint8Array) => {
      const bytes = concatBytes(last.byteLength > 0 ? [...parts, last] : parts, lineBytes + last.byteLength);
      parts = [];
      lineBytes = 0;
      const line = decoder.decode(bytes).trim();
      if (!line) return;
      let event: WatchEvent<T>;
      try {
        event = JSON.parse(line) as WatchEvent<T>;
      } catch (err) {
        throw new KubeResponseError('malformed', `${what}: an event is not JSON (${errorMessage(err)})`);
      }
      onEvent(event);
    };
    const tooLong = () => {
      void reader.cancel().catch(() => {});
      return new KubeResponseError('too-large', `${what}: an event line exceeds ${mib(limit)}`);
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let start = 0;
        for (let nl = value.indexOf(NEWLINE); nl >= 0; nl = value.indexOf(NEWLINE, start)) {
          if (lineBytes + nl - start > limit) throw tooLong();
          emit(value.subarray(start, nl));
          start = nl + 1;
        }
        const rest = value.byteLength - start;
        if (lineBytes + rest > limit) throw tooLong();
        if (rest > 0) {
          parts.push(value.subarray(start));
          lineBytes += rest;
        }
      }
      if (lineBytes > 0) emit(new Uint8Array(0));
    } catch (err) {
      if (err instanceof KubeResponseError) throw err;
      if (signal.aborted) throw new KubeTransportError('aborted', `watch ${path}: aborted`, { cause: err });
      throw new KubeTransportError('network', `watch ${path}: ${errorMessage(err)}`, { cause: err });
    } finally {
      reader.releaseLock?.();
    }
  }
}
