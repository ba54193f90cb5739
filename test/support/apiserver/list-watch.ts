// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/** GET of collections: list (selectors, resourceVersion semantics, paging, tables) and watch. */
import type { ServerResponse } from 'node:http';
import { ApiError, errors } from './errors.ts';
import { send } from './http-util.ts';
import type { Route } from './routes.ts';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { ServerContext } from './server.ts';
import { toTable } from './table.ts';
import { WatchStream } from './watch.ts';

export function selectors(url: URL, r: Route) {
  const q = url.searchParams;
  const allowed = ['metadata.name', 'metadata.namespace', ...r.def.fields];
  const labels = parseLabelSelector(q.get('labelSelector'));
  const fields = parseFieldSelector(q.get('fieldSelector'), allowed, r.def.kind);
  if (r.name) fields.push({ field: 'metadata.name', op: 'eq', value: r.name });
  return { labels, fields };
}

export function list(ctx: ServerContext, res: ServerResponse, url: URL, r: Route, table: boolean) {
  const { api } = ctx;
  const q = url.searchParams;
  const { labels, fields } = selectors(url, r);
  const key = api.key(r.def);
  const ns = r.def.namespaced ? r.namespace : undefined;
  const rvParam = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  const current = api.store.currentRv();
  let listRv = current;
  let start = '';
  const cont = q.get('continue');
  if (cont) {
    try {
      const c = JSON.parse(Buffer.from(cont, 'base64url').toString());
      listRv = Number(c.rv);
      start = String(c.start);
    } catch {
      throw errors.badRequest('continue key is not valid');
    }
    if (listRv < api.store.oldestRv())
      throw new ApiError(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.',
      );
  } else if (rvParam !== '' && rvParam !== '0') {
    const n = Number(rvParam);
    if (!Number.isInteger(n)) throw errors.badRequest(`invalid resource version: ${rvParam}`);
    if (n > current)
      throw new ApiError(504, 'Timeout', `Too large resource version: ${n}, current: ${current}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    if (match === 'Exact') listRv = n;
  } else if (match === 'Exact')
    throw errors.badRequest('resourceVersionMatch "Exact" requires a resourceVersion');
  const served = (o: any) => (r.def.fromStorage ? r.def.fromStorage(o) : o);
  let items = (listRv === current ? api.store.list(key, ns) : api.store.listAt(key, listRv, ns))
    .map(served)
    .filter((o) => matchLabels(labels, o.metadata.labels) && matchFields(fields, o));
  items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > start);
  const limit = Number(q.get('limit') ?? 0);
  const metadata: any = { resourceVersion: String(listRv) };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1];
    metadata.continue = Buffer.from(
      JSON.stringify({ rv: listRv, start: `${last.metadata.namespace ?? ''}/${last.metadata.name}` }),
    ).toString('base64url');
    metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  if (table)
    return send(res, 200, {
      ...toTable(
        r.def,
        r.version,
        items.map((o) => api.present(r.def, r.version, o)),
        { includeObject: q.get('includeObject') ?? undefined, resourceVersion: String(listRv) },
      ),
      metadata,
    });
  const apiVersion = api.present(r.def, r.version, {}).apiVersion;
  // Like the real server: items of built-in lists carry no apiVersion/kind; custom resources keep theirs.
  const shaped = items.map((o) => {
    if (r.def.crd) return api.present(r.def, r.version, o);
    const { apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  });
  return send(res, 200, { kind: r.def.listKind, apiVersion, metadata, items: shaped });
}

export function watch(ctx: ServerContext, res: ServerResponse, url: URL, r: Route, table: boolean) {
  const q = url.searchParams;
  const { labels, fields } = selectors(url, r);
  const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
  const sie = q.get('sendInitialEvents');
  const w = new WatchStream(
    ctx.api,
    res,
    {
      def: r.def,
      version: r.version,
      namespace: r.def.namespaced ? r.namespace : undefined,
      labels,
      fields,
      resourceVersion: q.get('resourceVersion') ?? undefined,
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      sendInitialEvents: sie === null ? undefined : sie === 'true',
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : 1800_000,
      bookmarkIntervalMs: ctx.bookmarkIntervalMs,
      table: table ? { includeObject: q.get('includeObject') ?? undefined } : undefined,
      path: url.pathname + url.search,
    },
    (p) => ctx.faults.isHung(p),
    (s) => ctx.watches.delete(s),
  );
  ctx.watches.add(w);
  w.start();
  (res as ServerResponse & { logRequest?: () => void }).logRequest?.();
}
