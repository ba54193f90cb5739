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

export function serveHttp(app: Hono, listen: string): HttpServer {
  const { hostname, port } = splitHostPort(listen);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname,
      port,
      fetch: app.fetch,
      maxRequestBodySize: 64 * 1024,
      idleTimeout: 30,
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
