/**
 * The local HTTP endpoint: /healthz, /readyz, /metrics, /status, /explain. The app is built from
 * plain functions so tests call app.request() without a socket.
 */
import { Hono } from 'hono';
import type { StatusDoc } from './status-doc.ts';

export interface Endpoints {
  /** Reasons the agent is not ready yet; empty when ready. */
  notReady(): string[];
  metrics(): string;
  status(): StatusDoc;
  /**
   * /explain?service=namespace/name: why this node does or does not announce the Service's IPs
   * (reconcile/plan/explain.ts); undefined when the node sees no such Service. Absent: 404.
   */
  explain?(service: string): unknown;
}

const SERVICE_KEY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function createApp(e: Endpoints): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/readyz', (c) => {
    const reasons = e.notReady();
    return reasons.length === 0 ? c.json({ ready: true }) : c.json({ ready: false, reasons }, 503);
  });
  app.get('/metrics', (c) =>
    c.body(e.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  app.get('/status', (c) => c.json(e.status()));
  const explain = e.explain;
  if (explain)
    app.get('/explain', (c) => {
      const key = c.req.query('service') ?? '';
      if (!SERVICE_KEY.test(key))
        return c.json({ error: 'service must be namespace/name, e.g. /explain?service=default/web' }, 400);
      const doc = explain(key);
      return doc === undefined
        ? c.json({ error: `this node sees no LoadBalancer Service ${key} that edgelb handles` }, 404)
        : c.json(doc);
    });
  app.notFound((c) => c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => c.json({ error: err.message }, 500));
  return app;
}
