/**
 * ADAPTER. Requests and watch streams to the API server through Bun's fetch, with the
 * kubeconfig's TLS material passed as `tls` (the part client-node's transport loses
 * under Bun). Every request has a timeout; a non-2xx answer is a KubeApiError carrying
 * the HTTP status and the Status reason; a 403 logs the verb and resource RBAC lacks.
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

  /** A JSON request; resolves with the parsed body of a 2xx answer, throws KubeApiError otherwise. */
  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, o, o.timeoutMs ?? this.timeoutMs);
    if (res.status < 200 || res.status > 299) return this.fail(method, path, o, res);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
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
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      }
      const last = buf.trim();
      if (last) onEvent(JSON.parse(last) as WatchEvent<T>);
    } catch (err) {
      if (signal.aborted) throw new KubeTransportError('aborted', `watch ${path}: aborted`, { cause: err });
      if (err instanceof SyntaxError)
        throw new KubeTransportError('network', `watch ${path}: bad event: ${err.message}`);
      throw new KubeTransportError('network', `watch ${path}: ${errorMessage(err)}`, { cause: err });
    } finally {
      reader.releaseLock?.();
    }
  }
}
