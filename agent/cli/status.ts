import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.ts';
import { isHealthy, type StatusDoc } from '../http/status-doc.ts';
import { EX_USAGE, errorMessage, UserError } from '../lib/errors.ts';
import { type Command, noPositionals, type OptionSpec, parseOrUsage } from './args.ts';
import { clusterHealthy, formatClusterStatus } from './cluster-format.ts';
import { CLUSTER_OPTIONS, clusterClient, listEdgeLBNodes, listNodes } from './cluster-read.ts';
import { formatStatus } from './status-format.ts';

const DEFAULT_URL = 'http://127.0.0.1:9180';
const FETCH_TIMEOUT_MS = 5000;
const DEFAULT_WATCH_SECONDS = 2;

const usage = `Usage: edgelb status [--config PATH | --url URL] [--json] [--watch [--interval SECONDS]]
       edgelb status --cluster [--kubeconfig PATH | --config PATH] [--json]

Reads the local agent's /status and prints the leader, BGP peers, announced
prefixes and allocations. Exits 0 when healthy, 1 when degraded, 2 when the
endpoint cannot be reached.

Options:
  --config PATH        find the endpoint from http.listen in this config file
                       (default ${DEFAULT_CONFIG_PATH}; ${DEFAULT_URL} when it is missing);
                       with --cluster: the config whose kubernetes.kubeconfig to use
  --url URL            the agent's HTTP endpoint, instead of --config
  --json               print the raw /status document (with --cluster: the EdgeLBNode objects)
  --watch              print again every --interval seconds until Ctrl-C
  --interval SECONDS   the --watch period (default ${DEFAULT_WATCH_SECONDS})
  --cluster            read the cluster (EdgeLBNode objects) through the kubeconfig
  --kubeconfig PATH    with --cluster: the kubeconfig (default: the config's, $KUBECONFIG, ~/.kube/config)

With --cluster: every node's BGP sessions and counts from the EdgeLBNode objects;
exits 1 when a node has a session down, a blocked IP, or no object.`;

const STATUS_OPTIONS = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  watch: { type: 'boolean' },
  interval: { type: 'string' },
  ...CLUSTER_OPTIONS,
} as const satisfies OptionSpec;

/**
 * Where to find the agent: --url, else http.listen from the config (a wildcard listen means
 * loopback). The default config unreadable (a user outside the edgelb group) or absent means
 * the default endpoint; a --config given explicitly must be valid.
 */
export function endpointFrom(
  values: { url?: string; config?: string },
  defaultPath: string = DEFAULT_CONFIG_PATH,
): { base: string; from: string } {
  if (values.url) return { base: values.url.replace(/\/+$/, ''), from: '--url' };
  const path = values.config ?? defaultPath;
  const loaded = loadConfig(path);
  if (!loaded.ok) {
    if (values.config !== undefined)
      throw new UserError(`${path} is not a valid config (run "edgelb check-config --config ${path}")`);
    return { base: DEFAULT_URL, from: `the default (${loaded.problems[0]?.message ?? `${path} unusable`})` };
  }
  if (!loaded.found) return { base: DEFAULT_URL, from: `the default (${path} not found)` };
  const listen = loaded.config.http.listen;
  const loopback = listen.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
  return { base: `http://${loopback}`, from: `http.listen in ${path}` };
}

function unreachable(base: string, from: string, err: unknown): string {
  const reason =
    (err as Error)?.name === 'TimeoutError' ? 'no answer in 5 s' : ((err as Error)?.message ?? String(err));
  return (
    `edgelb status: cannot reach ${base}/status (${reason.replace(/\. Is the computer able.*$/s, '')}).\n` +
    `  Is the agent running? Check "systemctl status edgelb" and "journalctl -u edgelb".\n` +
    `  The address came from ${from}; the agent listens on http.listen of its config.\n`
  );
}

async function fetchStatus(base: string): Promise<StatusDoc> {
  const res = await fetch(`${base}/status`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as StatusDoc;
}

async function clusterStatus(values: { kubeconfig?: string; config?: string; json?: boolean }) {
  try {
    const client = await clusterClient({
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.config ? { config: values.config } : {}),
    });
    const [objects, nodes] = await Promise.all([listEdgeLBNodes(client), listNodes(client)]);
    const names = nodes.map((n) => n.metadata.name).sort();
    process.stdout.write(
      values.json ? `${JSON.stringify(objects, null, 2)}\n` : formatClusterStatus(objects, names),
    );
    return clusterHealthy(objects, names) ? 0 : 1;
  } catch (err) {
    process.stderr.write(`edgelb status: cannot read the cluster: ${errorMessage(err)}\n`);
    return 2;
  }
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'show leader, peers, prefixes and allocations of the local agent (--cluster: every node)',
  usage,
  options: STATUS_OPTIONS,
  async run(argv) {
    const args = parseOrUsage(argv, STATUS_OPTIONS, usage);
    if (!args) return 0;
    noPositionals(args.positionals, usage);
    if (args.values.cluster) return clusterStatus(args.values);
    if (args.values.url && args.values.config)
      throw new UserError(`give --url or --config, not both\n\n${usage}`, EX_USAGE);
    const interval = Number(args.values.interval ?? DEFAULT_WATCH_SECONDS);
    if (!(interval >= 0.5 && interval <= 3600))
      throw new UserError(`--interval must be a number of seconds from 0.5 to 3600\n\n${usage}`, EX_USAGE);
    const { base, from } = endpointFrom(args.values);
    const render = (doc: StatusDoc) =>
      args.values.json ? `${JSON.stringify(doc, null, 2)}\n` : formatStatus(doc);
    if (!args.values.watch) {
      let doc: StatusDoc;
      try {
        doc = await fetchStatus(base);
      } catch (err) {
        process.stderr.write(unreachable(base, from, err));
        return 2;
      }
      process.stdout.write(render(doc));
      return isHealthy(doc) ? 0 : 1;
    }
    return watch(base, from, interval, render);
  },
};

/** Prints the status again every interval until SIGINT or SIGTERM; exit 0. */
async function watch(base: string, from: string, seconds: number, render: (d: StatusDoc) => string) {
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  const clear = process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
  for (let done = false; !done; ) {
    let text: string;
    try {
      text = render(await fetchStatus(base));
    } catch (err) {
      text = unreachable(base, from, err);
    }
    process.stdout.write(`${clear}${new Date().toISOString()}  ${base}/status\n${text}\n`);
    done = await Promise.race([stopped.then(() => true), Bun.sleep(seconds * 1000).then(() => false)]);
  }
  return 0;
}
