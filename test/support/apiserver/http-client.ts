// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * A tiny HTTPS client for tests of the test API server (Bun fetch with explicit TLS material),
 * plus a line-oriented watch reader with bounded waits.
 */
import { readFileSync } from 'node:fs';
import type { TestApiServer } from './index.ts';

export type Auth = 'cert' | 'token' | 'none';

export interface CallResult {
  status: number;
  body: any;
}

function tlsFor(srv: TestApiServer, auth: Auth) {
  const ca = readFileSync(srv.caFile, 'utf8');
  if (auth !== 'cert') return { ca };
  return { ca, cert: readFileSync(srv.clientCertFile, 'utf8'), key: readFileSync(srv.clientKeyFile, 'utf8') };
}

function headersFor(srv: TestApiServer, auth: Auth, contentType?: string): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (auth === 'token') h.authorization = `Bearer ${srv.token}`;
  if (contentType) h['content-type'] = contentType;
  return h;
}

export async function call(
  srv: TestApiServer,
  method: string,
  path: string,
  body?: unknown,
  opts: { auth?: Auth; contentType?: string; signal?: AbortSignal } = {},
): Promise<CallResult> {
  const auth = opts.auth ?? 'cert';
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const r = await fetch(srv.url + path, {
    method,
    body: text,
    headers: headersFor(srv, auth, text === undefined ? undefined : (opts.contentType ?? 'application/json')),
    tls: tlsFor(srv, auth),
    signal: opts.signal ?? AbortSignal.timeout(5000),
  } as RequestInit);
  const raw = await r.text();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {}
  return { status: r.status, body: parsed };
}

export interface WatchReader {
  /** the next event, or undefined when the stream ended; throws after timeoutMs */
  next(timeoutMs?: number): Promise<any | undefined>;
  /** resolves once the stream has ended (or errored); 'end' or the error message */
  ended: Promise<string>;
  close(): void;
  status: number;
}

export async function openWatch(srv: TestApiServer, path: string, auth: Auth = 'cert'): Promise<WatchReader> {
  const ac = new AbortController();
  const r = await fetch(srv.url + path, {
    headers: headersFor(srv, auth),
    tls: tlsFor(srv, auth),
    signal: ac.signal,
  } as RequestInit);
  const queue: any[] = [];
  const waiters: (() => void)[] = [];
  let done = false;
  let endReason = 'end';
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const ended = (async () => {
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done: d } = await reader.read();
        if (d) break;
        buf += dec.decode(value, { stream: true });
        let i = buf.indexOf('\n');
        while (i >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) queue.push(JSON.parse(line));
          i = buf.indexOf('\n');
        }
        wake();
      }
    } catch (e) {
      endReason = (e as Error).message || String(e);
    }
    done = true;
    wake();
    return endReason;
  })();
  return {
    status: r.status,
    ended,
    close: () => ac.abort(),
    next: async (timeoutMs = 3000) => {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0 && !done) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no watch event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return queue.shift();
    },
  };
}
