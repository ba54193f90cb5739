/**
 * ADAPTER. Loads a kubeconfig with client-node's KubeConfig (search order: config
 * `kubernetes.kubeconfig`, $KUBECONFIG, /etc/edgelb/kubeconfig, ~/.kube/config, in-cluster) and turns it into what Bun's fetch needs: the server URL,
 * TLS material ({ca, cert, key}) and an auth-header provider. client-node's own transport
 * hands TLS to undici as a `dispatcher`, which Bun ignores; so edgelb sends requests itself.
 * A bearer token file is re-read whenever it changes (size or mtime).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { EX_CONFIG, errorMessage, UserError } from '../lib/errors.ts';
import { readableWarning, writableProblem } from '../lib/file-mode.ts';
import type { Logger } from '../lib/log.ts';

export const SERVICEACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Where the installer puts a node's kubeconfig (EDGELB_KUBECONFIG); searched after $KUBECONFIG. */
export const NODE_KUBECONFIG = '/etc/edgelb/kubeconfig';

export interface KubeTLS {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  serverName?: string;
}

export interface KubeEndpoint {
  /** Where the configuration came from: a file path or "in-cluster". */
  origin: string;
  server: string;
  tls: KubeTLS;
  /** Headers that authenticate a request (Authorization, Impersonate-User). */
  authHeaders(): Promise<Record<string, string>>;
  /** The default namespace of the current context, if any. */
  namespace?: string;
  /** Sentences a user should act on (a credential others can read); also logged when loaded. */
  warnings?: string[];
}

export interface LoadOptions {
  /** Explicit path (config `kubernetes.kubeconfig`); empty = defaults. */
  path?: string;
  env?: Record<string, string | undefined>;
  home?: string;
  /** The node kubeconfig searched after $KUBECONFIG (default NODE_KUBECONFIG; "" = skip it). */
  nodePath?: string;
  /** Prefix for the service-account directory (tests). */
  inClusterDir?: string;
  log?: Logger;
}

function fail(path: string, why: string): never {
  throw new UserError(`kubeconfig ${path}: ${why}`, EX_CONFIG);
}

/** A token file read again only when its size or mtime changes. */
export class TokenFile {
  private stamp = '';
  private token = '';
  constructor(readonly path: string) {}
  read(): string {
    const st = statSync(this.path);
    const stamp = `${st.size}:${st.mtimeMs}`;
    if (stamp !== this.stamp) {
      this.token = readFileSync(this.path, 'utf8').trim();
      this.stamp = stamp;
    }
    return this.token;
  }
}

function readMaterial(
  origin: string,
  what: string,
  file: string | undefined,
  data: string | undefined,
): string | undefined {
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      fail(origin, `cannot read ${what} ${file}: ${errorMessage(err)}`);
    }
  }
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  return undefined;
}

/**
 * Picks the kubeconfig path: explicit, first of $KUBECONFIG, /etc/edgelb/kubeconfig,
 * ~/.kube/config; undefined = in-cluster.
 */
export function resolveKubeconfigPath(opts: LoadOptions): string | undefined {
  if (opts.path) return opts.path;
  const env = opts.env ?? process.env;
  const fromEnv = (env.KUBECONFIG ?? '').split(':').find((p) => p.trim() !== '');
  if (fromEnv) return fromEnv;
  const node = opts.nodePath ?? NODE_KUBECONFIG;
  if (node !== '' && existsSync(node)) return node;
  const home = join(opts.home ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return home;
  return undefined;
}

export function loadKubeconfig(opts: LoadOptions = {}): KubeEndpoint {
  const path = resolveKubeconfigPath(opts);
  if (path === undefined) return loadInCluster(opts);
  let text: string;
  let stat: Stats;
  try {
    text = readFileSync(path, 'utf8');
    stat = statSync(path);
  } catch (err) {
    fail(path, `cannot read: ${errorMessage(err)}`);
  }
  const unsafe = writableProblem(path, stat.mode);
  if (unsafe) fail(path, unsafe);
  const kc = new KubeConfig();
  let raw: unknown;
  try {
    raw = parseYaml(text);
    kc.loadFromString(text);
    kc.makePathsAbsolute(dirname(path));
  } catch (err) {
    fail(path, `malformed: ${errorMessage(err).split('\n')[0]}`);
  }
  const ctx = kc.getContextObject(kc.getCurrentContext());
  if (!ctx)
    fail(path, kc.currentContext ? `current-context "${kc.currentContext}" not found` : 'no current-context');
  const cluster = kc.getCurrentCluster();
  if (!cluster) fail(path, `context "${ctx.name}" names cluster "${ctx.cluster}", which is not defined`);
  if (!cluster.server) fail(path, `cluster "${cluster.name}" has no server`);
  try {
    new URL(cluster.server);
  } catch {
    fail(path, `cluster "${cluster.name}" server "${cluster.server}" is not a URL`);
  }
  const user = kc.getCurrentUser();
  const tls: KubeTLS = {
    ca: readMaterial(path, 'certificate-authority', cluster.caFile, cluster.caData),
    cert: readMaterial(path, 'client-certificate', user?.certFile, user?.certData),
    key: readMaterial(path, 'client-key', user?.keyFile, user?.keyData),
    rejectUnauthorized: !cluster.skipTLSVerify,
    serverName: cluster.tlsServerName,
  };
  if (tls.cert && !tls.key) fail(path, `user "${user?.name}" has a client certificate but no client key`);
  // Bun's fetch reports unusable TLS material only as "FailedToOpenSocket"; say what is wrong here.
  if (tls.key) {
    try {
      createPrivateKey(tls.key);
    } catch {
      fail(path, `user "${user?.name}": client-key is not a PEM private key`);
    }
  }
  if (tls.cert) {
    try {
      new X509Certificate(tls.cert);
    } catch {
      fail(path, `user "${user?.name}": client-certificate is not a PEM certificate`);
    }
  }
  if (tls.ca) {
    try {
      new X509Certificate(tls.ca);
    } catch {
      fail(path, `cluster "${cluster.name}": certificate-authority is not a PEM certificate`);
    }
  }
  if (cluster.skipTLSVerify) {
    opts.log?.warn('kubeconfig sets insecure-skip-tls-verify: the API server certificate is not checked', {
      kubeconfig: path,
      cluster: cluster.name,
    });
  }
  // client-node reads `token-file` once and ignores `tokenFile`; edgelb re-reads it on change.
  const rawUser = findRawUser(raw, user?.name);
  const tokenPath = rawUser?.tokenFile ?? rawUser?.['token-file'];
  const tokenFile =
    typeof tokenPath === 'string' && tokenPath !== ''
      ? new TokenFile(isAbsolute(tokenPath) ? tokenPath : join(dirname(path), tokenPath))
      : undefined;
  if (tokenFile) {
    try {
      tokenFile.read();
    } catch (err) {
      fail(path, `cannot read tokenFile ${tokenFile.path}: ${errorMessage(err)}`);
    }
  }
  const warnings: string[] = [];
  const holdsCredential =
    !!user?.token || !!user?.password || !!user?.keyData || rawUser?.token !== undefined;
  const readable = holdsCredential ? readableWarning(path, stat.mode) : undefined;
  if (readable) warnings.push(`kubeconfig ${path}: ${readable}`);
  for (const [what, file] of [
    ['tokenFile', tokenFile?.path],
    ['client-key', user?.keyFile],
  ] as const) {
    if (!file) continue;
    let w: string | undefined;
    try {
      w = readableWarning(file, statSync(file).mode);
    } catch {
      w = undefined; // read above; a race is not worth a warning
    }
    if (w) warnings.push(`kubeconfig ${path}: its ${what} ${file}: ${w}`);
  }
  for (const w of warnings) opts.log?.warn(w, { kubeconfig: path });
  const authHeaders = async (): Promise<Record<string, string>> => {
    const h: Record<string, string> = {};
    if (tokenFile) h.Authorization = `Bearer ${tokenFile.read()}`;
    else if (user?.token) h.Authorization = `Bearer ${user.token}`;
    else if (user?.username) {
      h.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
    } else if (user?.exec || user?.authProvider) {
      // exec plugins and auth providers: client-node computes the header; TLS stays ours.
      const o: { headers?: Record<string, string> } = {};
      await kc.applyToHTTPSOptions(o as never);
      if (o.headers?.Authorization) h.Authorization = o.headers.Authorization;
    }
    if (user?.impersonateUser) h['Impersonate-User'] = user.impersonateUser;
    return h;
  };
  return {
    origin: path,
    server: cluster.server.replace(/\/+$/, ''),
    tls,
    authHeaders,
    namespace: ctx.namespace,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function findRawUser(raw: unknown, name: string | undefined): Record<string, unknown> | undefined {
  if (!raw || typeof raw !== 'object' || !name) return undefined;
  const users = (raw as { users?: unknown }).users;
  if (!Array.isArray(users)) return undefined;
  const u = users.find((x) => x && typeof x === 'object' && (x as { name?: unknown }).name === name);
  const body = u?.user;
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
}

function loadInCluster(opts: LoadOptions): KubeEndpoint {
  const env = opts.env ?? process.env;
  const dir = opts.inClusterDir ?? SERVICEACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const origin = 'in-cluster';
  if (!host || !port || !existsSync(join(dir, 'token'))) {
    throw new UserError(
      `kubeconfig: none found (no kubernetes.kubeconfig, $KUBECONFIG, ${NODE_KUBECONFIG}, ~/.kube/config, or in-cluster service account)`,
      EX_CONFIG,
    );
  }
  const token = new TokenFile(join(dir, 'token'));
  const ca = readMaterial(origin, 'service-account CA', join(dir, 'ca.crt'), undefined);
  const h = host.includes(':') ? `[${host}]` : host;
  let namespace: string | undefined;
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim();
  } catch {
    namespace = undefined;
  }
  return {
    origin,
    server: `https://${h}:${port}`,
    tls: { ca, rejectUnauthorized: true },
    authHeaders: async () => ({ Authorization: `Bearer ${token.read()}` }),
    namespace,
  };
}
