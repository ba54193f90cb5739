/**
 * `edgelb plan -f FILE|-`: a what-if before a pool or policy edit. Reads the current state where
 * the agent reads it (the cluster through the kubeconfig, or files mode's manifests folder and
 * state file, from --config), applies the pools and policies of FILE with the agent's own
 * allocator and planner (reconcile/plan/what-if.ts) and prints every Service whose IP would
 * change or be released and every announcement that would change. Nothing is written.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  type EndpointSliceObject,
  type NamespaceObject,
  type NodeObject,
  type ServiceObject,
  serviceKey,
} from '../api/core.ts';
import {
  type BGPPeeringPolicy,
  type Condition,
  GROUP,
  type LoadBalancerIPPool,
  PLURALS,
  VERSION,
} from '../api/v1alpha1.ts';
import { formatProblem, validatePolicy, validatePool } from '../api/validate/resources.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { ownsService } from '../kube/service-class.ts';
import { EX_USAGE, errorMessage, UserError } from '../lib/errors.ts';
import { type IPChange, type WhatIf, type WhatIfState, whatIf } from '../reconcile/plan/what-if.ts';
import { parseManifestFile } from '../source/files-manifests.ts';
import { parseState } from '../source/state-file.ts';
import { type Command, parseOrUsage } from './args.ts';
import { kubeClientFor } from './kube-client.ts';
import type { ListClient } from './router-config-inputs.ts';

/** Something would move. */
export const EXIT_CHANGES = 3;
/** A malformed FILE or an unreadable current state. */
const EXIT_INVALID = 1;

const usage = `Usage: edgelb plan -f FILE|- [--config PATH]

What-if before editing pools or peering policies: reads the current state where the agent
reads it (the cluster through the kubeconfig, or files mode's manifests folder and state
file), applies the LoadBalancerIPPools and BGPPeeringPolicies of FILE (they replace those of
the same name, or are added) with the agent's own allocator and announcement planner, and
prints every Service whose IP would change or be released and every announcement that would
change, per node and peer. Nothing is written.

Options:
  -f, --filename FILE   the edited pools and policies ("-": standard input)
      --config PATH     config file (default ${DEFAULT_CONFIG_PATH})

Exit codes: 0 nothing would move, 3 something would, 1 FILE is malformed (the field is
named) or the current state cannot be read, 2 usage error.`;

export interface PlanIO {
  readFile(path: string): string;
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  now(): number;
  hostname(): string;
  kubeClient(config: Config): Promise<ListClient>;
}

const realIO: PlanIO = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readStdin: () => Bun.stdin.text(),
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  now: () => Date.now(),
  hostname,
  kubeClient: (config) => kubeClientFor(config.kubernetes.kubeconfig),
};

/** FILE's pools and policies; any problem (naming the field) is exit 1. */
export function readEdit(
  name: string,
  text: string,
): { pools: LoadBalancerIPPool[]; policies: BGPPeeringPolicy[]; ignored: string[] } {
  const parsed = parseManifestFile(name, text);
  if (parsed.problems.length > 0) throw new UserError(parsed.problems.join('\n'), EXIT_INVALID);
  const pools: LoadBalancerIPPool[] = [];
  const policies: BGPPeeringPolicy[] = [];
  const ignored = [...parsed.ignored];
  for (const o of parsed.objects) {
    if (o.object.kind === 'LoadBalancerIPPool') pools.push(o.object.value);
    else if (o.object.kind === 'BGPPeeringPolicy') policies.push(o.object.value);
    else ignored.push(`${o.where} (${o.id}): plan applies pools and peering policies only`);
  }
  if (pools.length + policies.length === 0)
    throw new UserError(`${name}: no LoadBalancerIPPool or BGPPeeringPolicy to apply`, EXIT_INVALID);
  return { pools, policies, ignored };
}

const MANIFEST = /^[^.].*\.ya?ml$/;

/** Files mode's current state: the manifests folder and the state file, read only. */
export function filesState(
  config: Config,
  now: number,
  hostname: string,
  warn: (t: string) => void,
): WhatIfState {
  const dir = config.files.manifests;
  let names: string[];
  try {
    names = statSync(dir).isDirectory()
      ? readdirSync(dir)
          .filter((n) => MANIFEST.test(n))
          .sort()
      : [];
  } catch (err) {
    throw new UserError(
      `manifests ${dir}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`,
      EXIT_INVALID,
    );
  }
  const pools: LoadBalancerIPPool[] = [];
  const policies: BGPPeeringPolicy[] = [];
  const services: ServiceObject[] = [];
  const endpointSlices: EndpointSliceObject[] = [];
  const namespaces: NamespaceObject[] = [];
  for (const n of names) {
    const file = join(dir, n);
    const parsed = parseManifestFile(file, readFileSync(file, 'utf8'));
    for (const p of parsed.problems)
      warn(`${p} (the agent keeps this file's last good version; planned without it)`);
    for (const o of parsed.objects) {
      const v = o.object;
      if (v.kind === 'LoadBalancerIPPool') pools.push(v.value);
      else if (v.kind === 'BGPPeeringPolicy') policies.push(v.value);
      else if (v.kind === 'Service' && ownsService(v.value, config.kubernetes)) services.push(v.value);
      else if (v.kind === 'EndpointSlice') endpointSlices.push(v.value);
      else if (v.kind === 'Namespace') namespaces.push(v.value);
    }
  }
  let text: string | undefined;
  try {
    text = readFileSync(config.files.state, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UserError(`state file ${config.files.state}: ${errorMessage(err)}`, EXIT_INVALID);
  }
  const st = text === undefined ? undefined : parseState(text);
  if (st && !st.ok) throw new UserError(`state file ${config.files.state}: ${st.error}`, EXIT_INVALID);
  const state = st?.ok ? st.state : undefined;
  const name = config.nodeName || hostname;
  return {
    now,
    pools: pools.map((p) => ({ ...p, status: state?.pools[p.metadata.name] ?? {} })),
    policies,
    services: services.map((s) => {
      const saved = state?.services[serviceKey(s)];
      if (!saved) return { ...s, status: { loadBalancer: {} } };
      const condition: Condition = { ...saved.condition, lastTransitionTime: saved.lastTransitionTime };
      return {
        ...s,
        status: { loadBalancer: { ingress: saved.ips.map((ip) => ({ ip })) }, conditions: [condition] },
      };
    }),
    endpointSlices,
    namespaces,
    nodes: [{ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...config.files.nodeLabels } } }],
  };
}

interface List<T> {
  items?: T[];
}

/** The cluster's current state, listed once. Invalid pools and policies are skipped, as the agent skips them. */
export async function clusterState(
  client: ListClient,
  config: Config,
  now: number,
  warn: (t: string) => void,
): Promise<WhatIfState> {
  const list = async <T>(path: string): Promise<T[]> => {
    try {
      return (await client.request<List<T>>('GET', path)).items ?? [];
    } catch (err) {
      throw new UserError(`cannot list ${path}: ${errorMessage(err)}`, EXIT_INVALID);
    }
  };
  const api = (plural: string) => `/apis/${GROUP}/${VERSION}/${plural}`;
  const [rawPools, rawPolicies, services, endpointSlices, nodes, namespaces] = await Promise.all([
    list<LoadBalancerIPPool>(api(PLURALS.LoadBalancerIPPool)),
    list<BGPPeeringPolicy>(api(PLURALS.BGPPeeringPolicy)),
    list<ServiceObject>('/api/v1/services'),
    list<EndpointSliceObject>('/apis/discovery.k8s.io/v1/endpointslices'),
    list<NodeObject>('/api/v1/nodes'),
    list<NamespaceObject>('/api/v1/namespaces'),
  ]);
  const pools: LoadBalancerIPPool[] = [];
  for (const raw of rawPools) {
    const r = validatePool(raw);
    if (r.ok) pools.push({ ...r.value, metadata: raw.metadata, status: raw.status ?? {} });
    else
      warn(
        `LoadBalancerIPPool ${raw.metadata?.name}: invalid, skipped as the agent skips it: ${r.problems.map(formatProblem).join('; ')}`,
      );
  }
  const policies: BGPPeeringPolicy[] = [];
  for (const raw of rawPolicies) {
    const r = validatePolicy(raw);
    if (r.ok) policies.push({ ...r.value, metadata: raw.metadata });
    else
      warn(
        `BGPPeeringPolicy ${raw.metadata?.name}: invalid, skipped as the agent skips it: ${r.problems.map(formatProblem).join('; ')}`,
      );
  }
  const owned = services.filter((s) => ownsService(s, config.kubernetes));
  const keys = new Set(owned.map(serviceKey));
  return {
    now,
    pools,
    policies,
    services: owned,
    endpointSlices: endpointSlices.filter((s) =>
      keys.has(`${s.metadata.namespace}/${s.metadata.labels?.['kubernetes.io/service-name'] ?? ''}`),
    ),
    nodes,
    namespaces,
  };
}

const show = (ips: readonly string[]) => (ips.length ? ips.join(', ') : '(none)');

function ipLine(c: IPChange): string {
  const verb =
    c.kind === 'release' ? 'would be released' : c.kind === 'gain' ? 'would get an IP' : 'would change';
  return `  ${c.service}: ${show(c.before)} -> ${show(c.after)} (${verb}${c.why ? `: ${c.why}` : ''})\n`;
}

/** The report; true when something would move. */
export function formatWhatIf(w: WhatIf): { text: string; moves: boolean } {
  let text = '';
  if (w.ips.length > 0) {
    text += `Services whose IPs would change (${w.ips.length}):\n`;
    for (const c of w.ips) text += ipLine(c);
  }
  if (w.announcements.length > 0) {
    text += `Announcements that would change (${w.announcements.length}):\n`;
    for (const a of w.announcements) {
      const parts = [
        ...(a.announce.length ? [`announce ${a.announce.join(', ')}`] : []),
        ...(a.withdraw.length ? [`withdraw ${a.withdraw.join(', ')}`] : []),
      ];
      text += `  node ${a.node}, peer ${a.peer}: ${parts.join('; ')}\n`;
    }
  }
  const moves = w.ips.length + w.announcements.length > 0;
  if (!moves) text = 'Nothing would move: no Service IP and no announcement changes.\n';
  return { text, moves };
}

const PLAN_OPTIONS = { filename: { type: 'string', short: 'f' }, config: { type: 'string' } } as const;

export async function runPlan(argv: string[], io: PlanIO = realIO): Promise<number> {
  const args = parseOrUsage(argv, PLAN_OPTIONS, usage);
  if (!args) return 0;
  if (args.positionals.length > 0)
    throw new UserError(`unexpected argument "${args.positionals[0]}"\n\n${usage}`, EX_USAGE);
  const file = args.values.filename;
  if (file === undefined)
    throw new UserError(`-f FILE is required ("-" reads standard input)\n\n${usage}`, EX_USAGE);
  const path = args.values.config ?? DEFAULT_CONFIG_PATH;
  const loaded = loadConfig(path);
  if (!loaded.ok)
    throw new UserError(`${path}: ${loaded.problems.map(formatProblem).join('; ')}`, EXIT_INVALID);
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : io.readFile(file);
  } catch (err) {
    throw new UserError(`${file}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`, EXIT_INVALID);
  }
  const edit = readEdit(file === '-' ? '(stdin)' : file, text);
  const warn = (t: string) => io.stderr(`edgelb plan: warning: ${t}\n`);
  for (const i of edit.ignored) warn(i);
  const config = loaded.config;
  const state =
    config.source === 'files'
      ? filesState(config, io.now(), io.hostname(), warn)
      : await clusterState(await io.kubeClient(config), config, io.now(), warn);
  const out = formatWhatIf(whatIf(state, edit));
  io.stdout(out.text);
  return out.moves ? EXIT_CHANGES : 0;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'what-if: which IPs and announcements a pool/policy edit would change',
  usage,
  options: PLAN_OPTIONS,
  run: (argv) => runPlan(argv),
};
