/**
 * The inputs of `edgelb router-config`, read from the same sources the agent reads: files
 * mode's manifests (parsed by the files source's own parser) or the cluster through the
 * kubeconfig (BGPPeeringPolicies, LoadBalancerIPPools, BFDProfiles and Nodes listed once).
 * Secrets are never read: the router config gets a placeholder where a password goes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeObject } from '../api/core.ts';
import type { BFDProfile, BGPPeeringPolicy, LoadBalancerIPPool } from '../api/v1alpha1.ts';
import { GROUP, PLURALS, VERSION } from '../api/v1alpha1.ts';
import {
  formatProblem,
  validateBfdProfile,
  validatePolicy,
  validatePool,
} from '../api/validate/resources.ts';
import { EX_CONFIG, errorMessage, UserError } from '../lib/errors.ts';
import { type Family, parseCidr, parseIP } from '../net/ip.ts';
import { nodeAddresses, pickAddress } from '../reconcile/plan/node-address.ts';
import type { RouterNode } from '../routercfg/types.ts';
import { parseManifestFile } from '../source/files-manifests.ts';

export interface Objects {
  policies: BGPPeeringPolicy[];
  pools: LoadBalancerIPPool[];
  bfdProfiles: BFDProfile[];
  warnings: string[];
}

const MANIFEST = /^[^.].*\.ya?ml$/;

/** Every manifest of a directory (or one file), as files mode loads them; any problem is an error. */
export function readManifests(path: string): Objects {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((n) => MANIFEST.test(n))
          .sort()
          .map((n) => join(path, n))
      : [path];
  } catch (err) {
    throw new UserError(
      `manifests ${path}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`,
      EX_CONFIG,
    );
  }
  const out: Objects = { policies: [], pools: [], bfdProfiles: [], warnings: [] };
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const parsed = parseManifestFile(file, readFileSync(file, 'utf8'));
    problems.push(...parsed.problems);
    for (const o of parsed.objects) {
      if (seen.has(o.id)) {
        out.warnings.push(`${file}: ${o.where} (${o.id}): defined twice; the first one is used`);
        continue;
      }
      seen.add(o.id);
      if (o.object.kind === 'BGPPeeringPolicy') out.policies.push(o.object.value);
      else if (o.object.kind === 'LoadBalancerIPPool') out.pools.push(o.object.value);
      else if (o.object.kind === 'BFDProfile') out.bfdProfiles.push(o.object.value);
    }
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'), EX_CONFIG);
  return out;
}

/** The minimal client surface used here (KubeClient satisfies it). */
export interface ListClient {
  request<T>(method: string, path: string): Promise<T>;
}

interface List<T> {
  items?: T[];
}

async function list<T>(client: ListClient, path: string, optional = false): Promise<T[]> {
  try {
    return (await client.request<List<T>>('GET', path)).items ?? [];
  } catch (err) {
    // A cluster without the BFDProfile CRD (installed before BFD) simply has none.
    if (optional && (err as { status?: number }).status === 404) return [];
    throw new UserError(`cannot list ${path}: ${errorMessage(err)}`);
  }
}

function validated<T>(
  kind: string,
  items: unknown[],
  validate: (
    x: unknown,
  ) => { ok: true; value: T } | { ok: false; problems: Parameters<typeof formatProblem>[0][] },
  warnings: string[],
): T[] {
  const out: T[] = [];
  for (const item of items) {
    const r = validate(item);
    const name = (item as { metadata?: { name?: string } }).metadata?.name ?? '?';
    if (r.ok) out.push(r.value);
    else
      warnings.push(
        `${kind} ${name} is invalid and skipped, as the agent skips it: ${r.problems.map(formatProblem).join('; ')}`,
      );
  }
  return out;
}

const api = (plural: string) => `/apis/${GROUP}/${VERSION}/${plural}`;

/** The cluster's policies, pools, BFD profiles and Nodes. */
export async function listCluster(client: ListClient): Promise<Objects & { nodes: NodeObject[] }> {
  const [policies, pools, profiles, nodes] = await Promise.all([
    list<unknown>(client, api(PLURALS.BGPPeeringPolicy)),
    list<unknown>(client, api(PLURALS.LoadBalancerIPPool)),
    list<unknown>(client, api(PLURALS.BFDProfile), true),
    list<NodeObject>(client, '/api/v1/nodes'),
  ]);
  const warnings: string[] = [];
  return {
    policies: validated('BGPPeeringPolicy', policies, validatePolicy, warnings),
    pools: validated('LoadBalancerIPPool', pools, validatePool, warnings),
    bfdProfiles: validated('BFDProfile', profiles, validateBfdProfile, warnings),
    nodes,
    warnings,
  };
}

/** `--node NAME=ADDR[,ADDR6]` -> name and addresses per family. */
export function parseNodeFlag(text: string): { name: string; addresses: { 4?: string; 6?: string } } {
  const eq = text.indexOf('=');
  const name = text.slice(0, eq);
  if (eq <= 0) throw new UserError(`--node ${text}: expected NAME=ADDR[,ADDR6]`, 2);
  const addresses: { 4?: string; 6?: string } = {};
  for (const part of text.slice(eq + 1).split(',')) {
    const ip = parseIP(part);
    if (!ip.ok) throw new UserError(`--node ${text}: ${ip.error}`, 2);
    if (addresses[ip.value.family])
      throw new UserError(`--node ${text}: two IPv${ip.value.family} addresses`, 2);
    addresses[ip.value.family] = part.trim();
  }
  return { name, addresses };
}

/** The agent's choice of a node's address per family: InternalIP first, inside bgp.nodeAddressCIDRs' CIDR of that family. */
export function pickNodeAddresses(
  candidates: readonly string[],
  cidrs: string | readonly string[],
): { 4?: string; 6?: string } {
  const list = typeof cidrs === 'string' ? (cidrs ? [cidrs] : []) : cidrs;
  const within = (f: Family) =>
    list.find((cidr) => {
      const c = parseCidr(cidr);
      return c.ok && c.value.family === f;
    }) ?? '';
  const v4 = pickAddress(candidates, 4, within(4));
  const v6 = pickAddress(candidates, 6, within(6));
  return { ...(v4 ? { 4: v4 } : {}), ...(v6 ? { 6: v6 } : {}) };
}

/** Kubernetes Nodes -> router nodes (labels, picked addresses), with --node overrides. */
export function clusterNodes(
  nodes: readonly NodeObject[],
  cidr: string | readonly string[],
  overrides: ReadonlyMap<string, { 4?: string; 6?: string }>,
): RouterNode[] {
  const names = new Set(nodes.map((n) => n.metadata.name));
  for (const name of overrides.keys())
    if (!names.has(name)) throw new UserError(`--node ${name}: the cluster has no Node ${name}`, 2);
  return nodes.map((n) => ({
    name: n.metadata.name,
    labels: n.metadata.labels ?? {},
    addresses: overrides.get(n.metadata.name) ?? pickNodeAddresses(nodeAddresses(n), cidr),
  }));
}
