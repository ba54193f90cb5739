// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * A test Kubernetes API server faithful enough that kubectl and edgelb's client cannot tell
 * it from kube-apiserver: HTTPS with client-certificate and bearer-token auth, discovery,
 * CRDs, list/watch with resourceVersions, bookmarks and 410, status subresource, conflicts,
 * patches, selectors, and fault injection (in-process and at /_test/faults).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePki } from '../pki.ts';
import { errors } from './errors.ts';
import { type FaultControls, Faults } from './faults.ts';
import { writeKubeconfigs } from './kubeconfig.ts';
import { Api } from './objects.ts';
import { Registry } from './registry.ts';
import { splitApiVersion } from './resources.ts';
import { createHandler, type RequestRecord, type ServerContext } from './server.ts';
import { startTokenController } from './service-accounts.ts';
import { Store } from './store.ts';
import type { WatchStream } from './watch.ts';

export interface StartOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** 0 = ephemeral */
  port?: number;
  /** where the PKI, token and kubeconfigs go (default: a new temp dir) */
  dir?: string;
  /** extra IPs / names for the server certificate */
  sans?: string[];
  /** how often watches with allowWatchBookmarks get a BOOKMARK (default 2000 ms) */
  bookmarkIntervalMs?: number;
  /** watch events kept for resuming watches (default 2000); older resourceVersions get 410 */
  historyLimit?: number;
  /** who the bearer token authenticates as (default "edgelb-token"), e.g. "system:serviceaccount:kube-system:edgelb" */
  tokenUser?: string;
  /** enforce RBAC (Roles, ClusterRoles and their bindings in the store) on token requests; default off */
  rbac?: boolean;
  /** called synchronously with every logged request: method, path, status, user, remoteAddress, at */
  onRequest?: (r: RequestRecord) => void;
}

export interface TestApiServer {
  url: string;
  host: string;
  port: number;
  dir: string;
  kubeconfigCert: string;
  kubeconfigCertFiles: string;
  kubeconfigToken: string;
  kubeconfigTokenFile: string;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  token: string;
  tokenFile: string;
  faults: FaultControls;
  create(obj: any): any;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): any | undefined;
  update(obj: any): any;
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
  list(apiVersion: string, kind: string, namespace?: string): any[];
  requests: RequestRecord[];
  /** the current global resourceVersion */
  resourceVersion(): string;
  /** sends a BOOKMARK now on every open watch that allowed bookmarks */
  sendBookmarks(): void;
  /** number of open watch streams */
  openWatches(): number;
  stop(): Promise<void>;
}

const CERT_USER = 'edgelb-node';

export async function startApiServer(opts: StartOptions = {}): Promise<TestApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'edgelb-apiserver-'));
  const pki = generatePki(dir, [host, ...(opts.sans ?? [])]);
  const token = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

  const store = new Store(opts.historyLimit ?? 2000);
  const registry = new Registry();
  const api = new Api(store, registry);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    api.create(
      registry.find('', 'v1', 'namespaces')!,
      'v1',
      undefined,
      { metadata: { name: ns } },
      { direct: true },
    );

  const stopTokenController = startTokenController(api, readFileSync(pki.caFile, 'utf8'));
  const watches = new Set<WatchStream>();
  const faults = new Faults({
    dropWatches: () => {
      for (const w of [...watches]) w.drop();
    },
    expireWatches: () => {
      store.compact();
      for (const w of [...watches])
        w.error(errors.expired(`too old resource version: ${store.currentRv() - 1} (${store.currentRv()})`));
    },
    released: () => {
      for (const w of watches) w.flush();
    },
  });
  const requests: RequestRecord[] = [];
  const ctx: ServerContext = {
    api,
    faults,
    token,
    serverAddress: '',
    watches,
    requests,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 2000,
    certUser: CERT_USER,
    tokenUser: opts.tokenUser ?? 'edgelb-token',
    rbac: !!opts.rbac,
    onAdmin: async ({ path, body }) => adminCall(faults, path, body),
    onRequest: opts.onRequest,
  };
  const server = createServer(
    {
      key: readFileSync(pki.serverKeyFile),
      cert: readFileSync(pki.serverCertFile),
      ca: readFileSync(pki.caFile),
      requestCert: true,
      rejectUnauthorized: false,
    },
    createHandler(ctx),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const hostPort = isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  ctx.serverAddress = hostPort;
  const url = `https://${hostPort}`;
  const kubeconfigs = writeKubeconfigs(dir, url, pki, tokenFile, token);

  const defOf = (apiVersion: string, kind: string) => {
    const d = registry.findByKind(apiVersion, kind);
    if (!d) throw errors.unknownResource();
    return d;
  };
  return {
    url,
    host,
    port,
    dir,
    ...kubeconfigs,
    caFile: pki.caFile,
    clientCertFile: pki.clientCertFile,
    clientKeyFile: pki.clientKeyFile,
    token,
    tokenFile,
    faults,
    requests,
    create: (obj) => {
      const d = defOf(obj.apiVersion, obj.kind);
      return api.present(
        d,
        splitApiVersion(obj.apiVersion).version,
        api.create(d, splitApiVersion(obj.apiVersion).version, obj.metadata?.namespace, obj, {
          direct: true,
        }),
      );
    },
    get: (apiVersion, kind, namespace, name) => {
      const d = defOf(apiVersion, kind);
      const o = store.get(api.key(d), d.namespaced ? (namespace ?? 'default') : undefined, name);
      return o && api.present(d, splitApiVersion(apiVersion).version, o);
    },
    update: (obj) => {
      const d = defOf(obj.apiVersion, obj.kind);
      const v = splitApiVersion(obj.apiVersion).version;
      const ns = d.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
      return api.present(d, v, api.update(d, v, ns, obj.metadata.name, obj, { direct: true }));
    },
    remove: (apiVersion, kind, namespace, name) => {
      const d = defOf(apiVersion, kind);
      api.remove(d, d.namespaced ? (namespace ?? 'default') : undefined, name);
    },
    list: (apiVersion, kind, namespace) => {
      const d = defOf(apiVersion, kind);
      return store
        .list(api.key(d), d.namespaced ? namespace : undefined)
        .map((o) => api.present(d, splitApiVersion(apiVersion).version, o));
    },
    resourceVersion: () => String(store.currentRv()),
    sendBookmarks: () => {
      for (const w of watches) w.bookmarkIfAllowed();
    },
    openWatches: () => watches.size,
    stop: async () => {
      stopTokenController();
      faults.reset();
      for (const w of [...watches]) w.drop();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The HTTP face of the fault controls: POST /_test/faults/<op> with a JSON body. */
function adminCall(faults: Faults, path: string, body: any): any {
  const re = (p: unknown) =>
    typeof p === 'string' && p.startsWith('re:') ? new RegExp(p.slice(3)) : (p as string | undefined);
  switch (path.replace(/^\/_test\/faults\/?/, '')) {
    case 'failNext':
      faults.failNext(Number(body.n ?? 1), { status: body.status, path: re(body.path), method: body.method });
      break;
    case 'dropWatches':
      faults.dropWatches();
      break;
    case 'hang':
      faults.hang(!!body.on, { path: re(body.path) });
      break;
    case 'expireWatches':
      faults.expireWatches();
      break;
    case 'reset':
      faults.reset();
      break;
    default:
      throw errors.unknownResource();
  }
  return { ok: true };
}

export type { FaultControls, RequestRecord };
