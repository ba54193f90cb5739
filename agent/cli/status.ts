import { isHealthy, type StatusDoc } from '../http/status-doc.ts';
import { errorMessage } from '../lib/errors.ts';
import { type Command, noPositionals, parseOrUsage } from './args.ts';
import { clusterHealthy, formatClusterStatus } from './cluster-format.ts';
import { CLUSTER_HELP, CLUSTER_OPTIONS, clusterClient, listEdgeLBNodes, listNodes } from './cluster-read.ts';
import { formatStatus } from './status-format.ts';

const DEFAULT_URL = 'http://127.0.0.1:9180';

const usage = `Usage: edgelb status [--url URL] [--json] [--cluster ...]

Reads the local agent's /status and prints the leader, BGP peers, announced
prefixes and allocations. Exits 0 when healthy, 1 when degraded, 2 when the
endpoint cannot be reached.

Options:
  --url URL   the agent's HTTP endpoint (default ${DEFAULT_URL})
  --json      print the raw /status document (with --cluster: the EdgeLBNode objects)
${CLUSTER_HELP}

With --cluster: every node's BGP sessions and counts from the EdgeLBNode objects;
exits 1 when a node has a session down, a blocked IP, or no object.`;

export const statusCommand: Command = {
  name: 'status',
  summary: 'show leader, peers, prefixes and allocations of the local agent',
  usage,
  async run(argv) {
    const args = parseOrUsage(
      argv,
      { url: { type: 'string' }, json: { type: 'boolean' }, ...CLUSTER_OPTIONS },
      usage,
    );
    if (!args) return 0;
    noPositionals(args.positionals, usage);
    if (args.values.cluster) {
      try {
        const client = await clusterClient({
          ...(args.values.kubeconfig ? { kubeconfig: args.values.kubeconfig } : {}),
          ...(args.values.config ? { config: args.values.config } : {}),
        });
        const [objects, nodes] = await Promise.all([listEdgeLBNodes(client), listNodes(client)]);
        const names = nodes.map((n) => n.metadata.name).sort();
        process.stdout.write(
          args.values.json ? `${JSON.stringify(objects, null, 2)}\n` : formatClusterStatus(objects, names),
        );
        return clusterHealthy(objects, names) ? 0 : 1;
      } catch (err) {
        process.stderr.write(`edgelb status: cannot read the cluster: ${errorMessage(err)}\n`);
        return 2;
      }
    }
    const base = (args.values.url ?? DEFAULT_URL).replace(/\/+$/, '');
    let doc: StatusDoc;
    try {
      const res = await fetch(`${base}/status`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as StatusDoc;
    } catch (err) {
      process.stderr.write(`edgelb status: cannot reach ${base}/status: ${(err as Error).message}\n`);
      return 2;
    }
    process.stdout.write(args.values.json ? `${JSON.stringify(doc, null, 2)}\n` : formatStatus(doc));
    return isHealthy(doc) ? 0 : 1;
  },
};
