/**
 * `edgelb kubeconfig [--server URL] [-o FILE] [--namespace NS] [--kubeconfig PATH]`, run where
 * kubectl works: creates what is missing of the RBAC and the CRDs (never changes what exists),
 * a long-lived token Secret for the edgelb ServiceAccount, and prints a kubeconfig for the
 * nodes (or writes it, mode 0600, to FILE) with the cluster's CA. Talks to the API server
 * through edgelb's own transport, with the current kubeconfig ($KUBECONFIG, ~/.kube/config).
 */
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadKubeconfig } from '../kube/kubeconfig.ts';
import { customResourceDefinitions, rbac } from '../kube/manifests.ts';
import { KubeApiError, KubeClient } from '../kube/transport.ts';
import { EX_USAGE, errorMessage, UserError } from '../lib/errors.ts';
import { createLogger } from '../lib/log.ts';
import { type Command, noPositionals, type OptionSpec, parseOrUsage } from './args.ts';

export const TOKEN_SECRET = 'edgelb-token';
const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
/** The token controller fills a new Secret within milliseconds; give a busy cluster 15 s. */
const TOKEN_POLLS = 75;
const TOKEN_POLL_MS = 200;

const usage = `Usage: edgelb kubeconfig [--server URL] [-o FILE] [--namespace NS] [--kubeconfig PATH] [--l2-nodes LIST]

Run where kubectl works. Creates what is missing of edgelb's RBAC and CRDs (existing
objects are left alone), a token Secret "${TOKEN_SECRET}" for the ServiceAccount edgelb, and
prints a kubeconfig for the nodes with that token and the cluster's CA.

Options:
  --server URL       the API server address the nodes use (default: the current kubeconfig's)
  -o, --output FILE  write the kubeconfig to FILE (mode 0600) instead of standard output
  --namespace NS     namespace of the ServiceAccount, the Lease and the Secret (kube-system)
  --kubeconfig PATH  the admin kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)
  --l2-nodes LIST    L2 mode: the nodes whose heartbeat Lease edgelb-node-<node> the RBAC lets
                     them renew (comma-separated; as in edgelb manifests)

Then on each node:  curl -sfL <url>/install.sh | EDGELB_KUBECONFIG=/path/to/FILE sh -`;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const PLURAL: Record<string, string> = {
  ServiceAccount: 'serviceaccounts',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  CustomResourceDefinition: 'customresourcedefinitions',
  Secret: 'secrets',
};

/** The collection path of a manifest ("/api/v1/namespaces/NS/serviceaccounts"). */
export function collectionPath(m: Manifest): string {
  const plural = PLURAL[m.kind];
  if (!plural) throw new Error(`no path for kind ${m.kind}`);
  const base = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
  return m.metadata.namespace ? `${base}/namespaces/${m.metadata.namespace}/${plural}` : `${base}/${plural}`;
}

const isNotFound = (e: unknown) => e instanceof KubeApiError && e.status === 404;

async function getOrUndefined<T>(client: KubeClient, path: string): Promise<T | undefined> {
  try {
    return await client.request<T>('GET', path);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Creates each manifest that does not exist; returns "Kind name" of those created. */
async function createMissing(client: KubeClient, manifests: Manifest[]): Promise<string[]> {
  const created: string[] = [];
  for (const m of manifests) {
    const path = collectionPath(m);
    if (await getOrUndefined(client, `${path}/${m.metadata.name}`)) continue;
    await client.request('POST', path, { body: m });
    created.push(`${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`);
  }
  return created;
}

interface SecretObject {
  data?: Record<string, string>;
}

/** The token Secret's data once the token controller has filled it. */
async function tokenSecret(client: KubeClient, ns: string): Promise<Record<string, string>> {
  const secret: Manifest & { type: string; metadata: { annotations: Record<string, string> } } = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: SA_TOKEN_TYPE,
    metadata: {
      name: TOKEN_SECRET,
      namespace: ns,
      annotations: { 'kubernetes.io/service-account.name': 'edgelb' },
    },
  };
  const path = `${collectionPath(secret)}/${TOKEN_SECRET}`;
  if (!(await getOrUndefined(client, path)))
    await client.request('POST', collectionPath(secret), { body: secret });
  for (let i = 0; i < TOKEN_POLLS; i++) {
    const s = await getOrUndefined<SecretObject>(client, path);
    if (s?.data?.token) return s.data;
    await Bun.sleep(TOKEN_POLL_MS);
  }
  throw new UserError(
    `Secret ${ns}/${TOKEN_SECRET} got no token within ${(TOKEN_POLLS * TOKEN_POLL_MS) / 1000} s; is the token controller running (kube-controller-manager)?`,
  );
}

/** The node kubeconfig: one cluster (server, CA), one token user, one context. */
export function nodeKubeconfig(o: { server: string; ca: string; token: string; namespace: string }): string {
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'edgelb',
          cluster: { server: o.server, 'certificate-authority-data': Buffer.from(o.ca).toString('base64') },
        },
      ],
      users: [{ name: 'edgelb', user: { token: o.token } }],
      contexts: [{ name: 'edgelb', context: { cluster: 'edgelb', user: 'edgelb', namespace: o.namespace } }],
      'current-context': 'edgelb',
    },
    { lineWidth: 0 },
  );
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

const KUBECONFIG_OPTIONS = {
  server: { type: 'string' },
  output: { type: 'string', short: 'o' },
  namespace: { type: 'string' },
  kubeconfig: { type: 'string' },
  'l2-nodes': { type: 'string' },
} as const satisfies OptionSpec;

export async function main(argv: string[]): Promise<number> {
  const args = parseOrUsage(argv, KUBECONFIG_OPTIONS, usage);
  if (!args) return 0;
  noPositionals(args.positionals, usage);
  const ns = args.values.namespace || 'kube-system';
  const l2Nodes = (args.values['l2-nodes'] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const server = args.values.server;
  if (server !== undefined && !/^https:\/\/[^/\s]+\/?$/.test(server))
    throw new UserError(`--server must be https://HOST[:PORT], got "${server}"\n\n${usage}`, EX_USAGE);
  const say = (line: string) => process.stderr.write(`edgelb kubeconfig: ${line}\n`);
  const endpoint = loadKubeconfig({ path: args.values.kubeconfig, nodePath: '' });
  const client = new KubeClient(endpoint, {
    log: createLogger({ level: 'error', format: 'text' }),
    timeoutMs: 15_000,
  });
  let data: Record<string, string>;
  try {
    const manifests = [
      ...rbac({ namespace: ns, leaseName: 'edgelb', ...(l2Nodes.length ? { l2Nodes } : {}) }),
      ...customResourceDefinitions(),
    ] as Manifest[];
    for (const c of await createMissing(client, manifests)) say(`created ${c}`);
    data = await tokenSecret(client, ns);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${endpoint.origin} (${endpoint.server}): ${errorMessage(e)}`);
  }
  const ca = endpoint.tls.ca ?? (data['ca.crt'] ? Buffer.from(data['ca.crt'], 'base64').toString() : '');
  if (!ca) throw new UserError(`no CA certificate: neither ${endpoint.origin} nor the Secret names one`);
  const target = (server ?? endpoint.server).replace(/\/+$/, '');
  if (server === undefined && /^https:\/\/(127\.|localhost|\[::1\])/.test(target))
    say(`warning: the server is ${target}, which other machines cannot reach; pass --server URL`);
  const text = nodeKubeconfig({
    server: target,
    ca,
    token: Buffer.from(data.token ?? '', 'base64').toString(),
    namespace: ns,
  });
  if (args.values.output) {
    writePrivate(args.values.output, text);
    say(`wrote ${args.values.output} (ServiceAccount ${ns}/edgelb, server ${target})`);
  } else process.stdout.write(text);
  return 0;
}

export const kubeconfigCommand: Command = {
  name: 'kubeconfig',
  summary: 'set up RBAC and print a kubeconfig for the nodes (run where kubectl works)',
  usage,
  options: KUBECONFIG_OPTIONS,
  run: main,
};
