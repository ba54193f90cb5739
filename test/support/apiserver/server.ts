// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * The HTTPS front: authentication (client certificate from the test CA, or bearer token),
 * fault injection, discovery/OpenAPI, and the REST verbs for every served resource.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parse as parseYaml } from 'yaml';
import { discovery, openapiV3 } from './discovery.ts';
import { ApiError, errors, reasonFor } from './errors.ts';
import type { Faults } from './faults.ts';
import { readBody, send } from './http-util.ts';
import { list, watch } from './list-watch.ts';
import { type Api, PATCH_TYPES } from './objects.ts';
import { type Attributes, authorize, userInfo } from './rbac.ts';
import { parseRoute, type Route } from './routes.ts';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { selfSubjectAccessReview, serviceAccountUser } from './service-accounts.ts';
import { toTable, wantsTable } from './table.ts';
import type { WatchStream } from './watch.ts';

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  user: string;
  /** the client's address (tells apart agents in different network namespaces) */
  remoteAddress?: string;
  /** Date.now() when logged */
  at?: number;
}

export interface ServerContext {
  api: Api;
  faults: Faults;
  token: string;
  serverAddress: string;
  watches: Set<WatchStream>;
  requests: RequestRecord[];
  bookmarkIntervalMs: number;
  /** the certificate-authenticated user (the only one allowed at /_test/) */
  certUser: string;
  /** the user the bearer token authenticates as */
  tokenUser: string;
  /** authorize token requests with RBAC objects in the store (the cert user is system:masters) */
  rbac: boolean;
  onAdmin(req: any): Promise<any>;
  /** called synchronously with every logged request (tests that judge who wrote what, when) */
  onRequest?: (r: RequestRecord) => void;
}

const MAX_LOG = 5000;

function authenticate(req: IncomingMessage, ctx: ServerContext): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const token = auth.slice(7);
    return token === ctx.token ? ctx.tokenUser : serviceAccountUser(ctx.api, token);
  }
  const sock = req.socket as TLSSocket;
  // Bun exposes `authorized` (chain verified against our CA) but not the peer certificate;
  // the test CA issues exactly one client certificate, so a verified chain means that user.
  return sock.authorized ? ctx.certUser : undefined;
}

export function createHandler(ctx: ServerContext) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const path = url.pathname + url.search;
    const method = (req.method ?? 'GET').toUpperCase();
    const user = authenticate(req, ctx);
    // Logged when the response is complete; a watch is logged when its stream starts.
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      const record: RequestRecord = {
        method,
        path,
        status: res.statusCode,
        user: user ?? '',
        remoteAddress: req.socket.remoteAddress,
        at: Date.now(),
      };
      ctx.requests.push(record);
      ctx.onRequest?.(record);
      if (ctx.requests.length > MAX_LOG) ctx.requests.splice(0, ctx.requests.length - MAX_LOG);
    };
    res.on('finish', log);
    (res as ServerResponse & { logRequest?: () => void }).logRequest = log;
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    const run = () => {
      if (gone || res.destroyed || req.socket.destroyed) return;
      handle(ctx, req, res, url, method, user).catch((e) => {
        const err = e instanceof ApiError ? e : errors.internal(String((e as Error)?.message ?? e));
        send(res, err.code, err.toStatus());
      });
    };
    if (ctx.faults.isHung(path) && !url.pathname.startsWith('/_test/')) ctx.faults.park(run);
    else run();
  };
}

async function handle(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  method: string,
  user: string | undefined,
) {
  if (!user) throw errors.unauthorized();
  const path = url.pathname + url.search;
  if (url.pathname.startsWith('/_test/')) {
    if (user !== ctx.certUser)
      throw errors.forbidden(user, { verb: method.toLowerCase(), resource: '_test', group: '' });
    const body = method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
    return send(res, 200, await ctx.onAdmin({ path: url.pathname, body }));
  }
  if (method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
    const body = JSON.parse((await readBody(req)) || '{}');
    return send(res, 201, selfSubjectAccessReview(ctx.api, user, user === ctx.certUser, ctx.rbac, body));
  }
  const failure = ctx.faults.takeFailure(method, path);
  if (failure !== undefined) {
    const route = parseRoute(url.pathname, ctx.api.registry);
    if (failure === 403 && route && route !== 'unknown')
      throw errors.forbidden(user, attributes(method, route, url));
    throw new ApiError(failure, reasonFor(failure), `injected fault: ${failure} ${reasonFor(failure)}`);
  }
  if (method === 'GET') {
    const doc =
      discovery(url.pathname, ctx.api.registry, ctx.serverAddress) ??
      openapiV3(url.pathname, ctx.api.registry);
    if (doc) return send(res, 200, doc);
    if (url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('ok');
    }
  }
  const route = parseRoute(url.pathname, ctx.api.registry);
  if (!route || route === 'unknown') throw errors.unknownResource();
  if (ctx.rbac && user !== ctx.certUser) {
    const a = attributes(method, route, url);
    if (!authorize(ctx.api.store, userInfo(user), a)) throw errors.forbidden(user, a);
  }
  return serveResource(ctx, req, res, url, method, route);
}

function attributes(method: string, r: Route, url: URL): Attributes {
  return {
    verb: verbOf(method, r, url),
    group: r.def.group,
    resource: r.def.plural,
    subresource: r.subresource,
    namespace: r.def.namespaced ? r.namespace : undefined,
    name: r.name,
  };
}

function verbOf(method: string, r: Route, url: URL): string {
  const watch = r.watchPrefix || ['true', '1'].includes(url.searchParams.get('watch') ?? '');
  if (method === 'GET') return watch ? 'watch' : r.name ? 'get' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return r.name ? 'delete' : 'deletecollection';
  return method.toLowerCase();
}

async function serveResource(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  method: string,
  r: Route,
) {
  const { api } = ctx;
  const { def, version } = r;
  const q = url.searchParams;
  const verb = verbOf(method, r, url);
  const dryRun = q.get('dryRun') === 'All';
  const strict = q.get('fieldValidation') === 'Strict';
  const ns = def.namespaced ? r.namespace : undefined;
  const table = wantsTable(req.headers.accept);
  const out = (code: number, obj: any) =>
    send(
      res,
      code,
      table
        ? toTable(def, version, [obj], { includeObject: q.get('includeObject') ?? undefined })
        : api.present(def, version, obj),
    );
  const parse = async () => {
    const ct = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
    // Protobuf and CBOR bodies (kubectl's imperative `create ns|secret|...`) are not decoded here.
    if (ct !== 'application/json' && ct !== 'application/yaml' && ct !== '*/*')
      throw errors.unsupportedMediaType(ct, ['application/json', 'application/yaml']);
    const raw = await readBody(req);
    try {
      return ct === 'application/yaml' ? parseYaml(raw) : JSON.parse(raw);
    } catch {
      throw errors.badRequest(
        `${def.kind} in version "${version}" cannot be handled as a ${def.kind}: invalid JSON`,
      );
    }
  };
  switch (verb) {
    case 'get':
      return out(200, api.get(def, ns, r.name!));
    case 'list':
      return list(ctx, res, url, r, table);
    case 'watch':
      return watch(ctx, res, url, r, table);
    case 'create':
      if (r.name) throw errors.methodNotAllowed(method);
      return out(201, api.create(def, version, r.namespace, await parse(), { dryRun, strict }));
    case 'update':
      return out(
        200,
        api.update(def, version, ns, r.name!, await parse(), { subresource: r.subresource, dryRun, strict }),
      );
    case 'patch': {
      const existed = !!api.store.get(api.key(def), ns, r.name!);
      const ct = req.headers['content-type'] ?? '';
      const obj = api.patch(def, version, r.namespace, r.name!, ct, await readBody(req), {
        subresource: r.subresource,
        dryRun,
        strict,
        fieldManager: q.get('fieldManager') ?? undefined,
      });
      return out(existed || !ct.startsWith(PATCH_TYPES.apply) ? 200 : 201, obj);
    }
    case 'delete': {
      const raw = await readBody(req);
      let opts: { preconditions?: { resourceVersion?: string; uid?: string } } = {};
      try {
        opts = raw ? JSON.parse(raw) : {};
      } catch {
        throw errors.badRequest('DeleteOptions: invalid JSON');
      }
      return out(200, api.remove(def, ns, r.name!, opts.preconditions ?? {}, { dryRun }));
    }
    case 'deletecollection': {
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(
        q.get('fieldSelector'),
        ['metadata.name', 'metadata.namespace', ...def.fields],
        def.kind,
      );
      const gone = api.store
        .list(api.key(def), ns)
        .filter((o) => {
          const served = def.fromStorage ? def.fromStorage(o) : o;
          return matchLabels(labels, served.metadata.labels) && matchFields(fields, served);
        })
        .map((o) => api.remove(def, o.metadata.namespace, o.metadata.name, {}, { dryRun }));
      return send(res, 200, {
        kind: def.listKind,
        apiVersion: api.present(def, version, {}).apiVersion,
        metadata: { resourceVersion: String(api.store.currentRv()) },
        items: gone,
      });
    }
    default:
      throw errors.methodNotAllowed(method);
  }
}
