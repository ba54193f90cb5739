/**
 * `edgelb explain NAMESPACE/NAME`: the Service's IPs, where they came from, and per node and
 * peer whether each is announced and why not. From the local agent's /explain, or with
 * --cluster from the EdgeLBNode objects, the policies, the Service and its EndpointSlices.
 */
import type { ServiceObject } from '../api/core.ts';
import type { EdgeLBNode } from '../api/edgelb-node.ts';
import { SERVICE_CONDITION } from '../api/v1alpha1.ts';
import { EX_USAGE, errorMessage, UserError } from '../lib/errors.ts';
import type { PeerFacts } from '../reconcile/plan/announce-reasons.ts';
import { type Explanation, explainService } from '../reconcile/plan/explain.ts';
import { type Command, parseOrUsage } from './args.ts';
import { explanationBlocked, formatExplain } from './cluster-format.ts';
import {
  CLUSTER_HELP,
  CLUSTER_OPTIONS,
  clusterClient,
  getService,
  listEdgeLBNodes,
  listSlices,
} from './cluster-read.ts';
import { listCluster } from './router-config-inputs.ts';

const DEFAULT_URL = 'http://127.0.0.1:9180';

const usage = `Usage: edgelb explain NAMESPACE/NAME [--url URL] [--json] [--cluster ...]

Why a LoadBalancer Service's IP is or is not announced: the IP and where it came
from (pool, request annotation, sharing key), then one line per node and peer:
announced, or not and why. "intended" reasons (the policy does not select the node
or the Service, externalTrafficPolicy: Local without a local endpoint...) are
choices; "blocked" reasons (every session down, family not negotiated, no next
hop) are faults. Exits 0 when nothing is blocked, 1 when something is, 2 when the
agent or the cluster cannot be read.

Options:
  --url URL          the local agent's HTTP endpoint (default ${DEFAULT_URL})
  --json             print the explanation(s) as JSON
${CLUSTER_HELP}`;

function serviceArg(positionals: string[]): [string, string] {
  const key = positionals[0] ?? '';
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(key);
  if (positionals.length !== 1 || !m)
    throw new UserError(`expected one NAMESPACE/NAME\n\n${usage}`, EX_USAGE);
  return [m[1]!, m[2]!];
}

/** The sessions an EdgeLBNode reports, as the explanation reads them. */
function peersOf(n: EdgeLBNode): PeerFacts[] {
  return (n.status?.peers ?? []).map((p) => ({
    id: p.peer,
    state: p.state,
    ...(p.lastError ? { lastError: { message: p.lastError, at: p.since } } : {}),
  }));
}

/** The node's own blocked list is the authority: it knows the negotiated families and next hops. */
function withBlocked(e: Explanation, n: EdgeLBNode): Explanation {
  const blocked = new Map((n.status?.blocked ?? []).map((b) => [b.ip, b]));
  return {
    ...e,
    facts: e.facts.map((f) => {
      const b = blocked.get(f.ip);
      return f.announced && b
        ? { ...f, announced: false, reason: { code: b.reason, kind: 'blocked' as const, message: b.message } }
        : f;
    }),
  };
}

async function fromCluster(
  ns: string,
  name: string,
  o: { kubeconfig?: string; config?: string },
): Promise<{ explanations: Explanation[]; header: string[] }> {
  const client = await clusterClient(o);
  const svc: ServiceObject = await getService(client, ns, name);
  const [cluster, slices, objects] = await Promise.all([
    listCluster(client),
    listSlices(client, ns, name),
    listEdgeLBNodes(client),
  ]);
  const header: string[] = [];
  const cond = svc.status?.conditions?.find((c) => c.type === SERVICE_CONDITION);
  if (cond) header.push(`  ${cond.type}=${cond.status} ${cond.reason}: ${cond.message}`);
  const byName = new Map(objects.map((n) => [n.metadata.name, n]));
  const explanations: Explanation[] = [];
  for (const node of [...cluster.nodes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const obj = byName.get(node.metadata.name);
    if (!obj?.status) {
      header.push(
        `  node ${node.metadata.name}: no EdgeLBNode status (edgelb not running there, or not yet written)`,
      );
      continue;
    }
    const e = explainService({
      nodeName: node.metadata.name,
      nodeLabels: node.metadata.labels ?? {},
      policies: cluster.policies,
      service: svc,
      endpointSlices: slices,
      peers: peersOf(obj),
    });
    explanations.push(withBlocked(e, obj));
  }
  return { explanations, header };
}

const EXPLAIN_OPTIONS = { url: { type: 'string' }, json: { type: 'boolean' }, ...CLUSTER_OPTIONS } as const;

export const explainCommand: Command = {
  name: 'explain',
  summary: "why a Service's IP is or is not announced, per node and peer",
  usage,
  options: EXPLAIN_OPTIONS,
  async run(argv) {
    const args = parseOrUsage(argv, EXPLAIN_OPTIONS, usage);
    if (!args) return 0;
    const [ns, name] = serviceArg(args.positionals);
    let explanations: Explanation[];
    let header: string[] = [];
    if (args.values.cluster) {
      try {
        ({ explanations, header } = await fromCluster(ns, name, {
          ...(args.values.kubeconfig ? { kubeconfig: args.values.kubeconfig } : {}),
          ...(args.values.config ? { config: args.values.config } : {}),
        }));
      } catch (err) {
        if (err instanceof UserError) throw err;
        process.stderr.write(`edgelb explain: cannot read the cluster: ${errorMessage(err)}\n`);
        return 2;
      }
    } else {
      const base = (args.values.url ?? DEFAULT_URL).replace(/\/+$/, '');
      const url = `${base}/explain?service=${encodeURIComponent(`${ns}/${name}`)}`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        const body = (await res.json()) as Explanation & { error?: string };
        if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
        explanations = [body];
      } catch (err) {
        process.stderr.write(`edgelb explain: ${url}: ${errorMessage(err)}\n`);
        return 2;
      }
    }
    if (args.values.json) process.stdout.write(`${JSON.stringify(explanations, null, 2)}\n`);
    else if (explanations.length === 0) process.stdout.write(`Service ${ns}/${name}\n${header.join('\n')}\n`);
    else
      process.stdout.write(
        explanations
          .map((e, i) =>
            i === 0
              ? formatExplain(e, header)
              : formatExplain(e)
                  .split('\n')
                  .slice(1 + e.origin.length)
                  .join('\n'),
          )
          .join(''),
      );
    return explanations.some(explanationBlocked) ? 1 : 0;
  },
};
