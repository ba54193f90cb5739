/** Serves the hono app on Bun.serve. A port in use is a UserError naming the address. */
import type { Hono } from 'hono';
import { UserError } from '../lib/errors.ts';

export interface HttpServer {
  url: string;
  stop(): Promise<void>;
}

export function splitHostPort(listen: string): { hostname: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(listen) ?? /^([^:]+):(\d+)$/.exec(listen);
  if (!m) throw new UserError(`http.listen: must be "address:port", got "${listen}"`, 78);
  return { hostname: m[1]!, port: Number(m[2]) };
}

/**
 * Bounds for a local monitoring endpoint: no route takes a body, so 64 KiB is generous
 * (bigger ones get 413); a keep-alive connection idle for idleTimeoutSeconds is closed
 * (Bun checks every ~4 s), and one that never completes a request is closed by Bun's
 * parser after ~10-12 s (measured with Bun 1.4.4; test/security/http.test.ts).
 */
export const HTTP_LIMITS = { maxRequestBodySize: 64 * 1024, idleTimeoutSeconds: 30 };

export function serveHttp(app: Hono, listen: string, limits: Partial<typeof HTTP_LIMITS> = {}): HttpServer {
  const { hostname, port } = splitHostPort(listen);
  const l = { ...HTTP_LIMITS, ...limits };
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname,
      port,
      fetch: app.fetch,
      maxRequestBodySize: l.maxRequestBodySize,
      idleTimeout: l.idleTimeoutSeconds,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || /in use/i.test(e.message)) {
      throw new UserError(`http.listen: ${listen} is already in use by another process`, 1);
    }
    if (e.code === 'EADDRNOTAVAIL')
      throw new UserError(`http.listen: ${hostname} is not an address of this host`, 1);
    if (e.code === 'EACCES') throw new UserError(`http.listen: no permission to bind ${listen}`, 1);
    throw err;
  }
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${server.port}`,
    stop: async () => {
      await server.stop(true);
    },
  };
}
