/**
 * `edgelb router-config --for frr|bird|opnsense|routeros`: the router side of the current
 * policies, from the sources the agent reads (the cluster, or files mode's manifests), on
 * stdout; warnings on stderr; exit 1 with the reasons when the target cannot express them.
 */
import { hostname, networkInterfaces } from 'node:os';
import type { NodeObject } from '../api/core.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.ts';
import { type Config, formatProblem } from '../config/schema.ts';
import { EX_CONFIG, EX_USAGE, UserError } from '../lib/errors.ts';
import { routerConfig, TARGETS, type Target } from '../routercfg/render.ts';
import type { RouterNode } from '../routercfg/types.ts';
import { type Command, type OptionSpec, parseStrict } from './args.ts';
import { kubeClientFor } from './kube-client.ts';
import {
  clusterNodes,
  type ListClient,
  listCluster,
  type Objects,
  parseNodeFlag,
  pickNodeAddresses,
  readManifests,
} from './router-config-inputs.ts';

const usage = `Usage: edgelb router-config --for frr|bird|opnsense|routeros [--config PATH]
                            [--manifests PATH] [--router ADDR[,ADDR6]] [--node NAME=ADDR[,ADDR6]]...

Prints the router side of the current BGPPeeringPolicies: one passive neighbor per node
session, the import filter limited to the pools' host routes (/32, /128), ECMP, graceful
restart, eBGP multihop, BFD with the BFDProfile's timers, and SECRET(ns/name:key) where a
TCP-MD5 password goes (Secrets are never read). frr: an frr.conf fragment; bird: bird.conf;
opnsense: the os-frr GUI steps; routeros: RouterOS 7 /routing commands. What the target
cannot express is an error (exit 1).

The objects come from where the agent reads them: the cluster (kubeconfig of the config's
kubernetes section), or, with source: files or --manifests, the manifests folder.
A node's address is its InternalIP (then ExternalIP) of each family, inside bgp.nodeAddressCIDRs
when that is of the family: the address its sessions come from on a flat LAN. In files mode
the node is this host (config nodeName, files.nodeLabels, its interface addresses) unless
--node names the nodes, which then all carry files.nodeLabels.

Options:
      --for TARGET        frr, bird, opnsense or routeros (required)
  -c, --config PATH       config file (default ${DEFAULT_CONFIG_PATH})
      --manifests PATH    read this manifests folder (or file) instead of the config's source
      --router ADDR[,ADDR6]  the router's addresses, when the policies name several routers
      --node NAME=ADDR[,ADDR6]  a node's session addresses (repeatable); overrides the picked ones`;

export interface RouterConfigIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** This host's non-loopback addresses (files mode's default node). */
  hostAddresses(): string[];
  hostname(): string;
  /** A client for the cluster (kubernetes mode). */
  kubeClient(config: Config): Promise<ListClient>;
}

const realIO: RouterConfigIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  hostAddresses: () =>
    Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal)
      .map((a) => a!.address),
  hostname,
  kubeClient: (config) => kubeClientFor(config.kubernetes.kubeconfig),
};

const ROUTER_CONFIG_OPTIONS = {
  for: { type: 'string' },
  config: { type: 'string' },
  manifests: { type: 'string' },
  router: { type: 'string' },
  node: { type: 'string', multiple: true },
} as const satisfies OptionSpec;

function parse(argv: string[]) {
  return parseStrict(argv, { ...ROUTER_CONFIG_OPTIONS, help: { type: 'boolean', short: 'h' } }, usage, false)
    .values as {
    for?: string;
    config?: string;
    manifests?: string;
    router?: string;
    node?: string[];
    help?: boolean;
  };
}

export async function runRouterConfig(argv: string[], io: RouterConfigIO = realIO): Promise<number> {
  const args = parse(argv);
  if (args.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const target = args.for as Target | undefined;
  if (!target || !TARGETS.includes(target))
    throw new UserError(`--for must be one of ${TARGETS.join(', ')}\n\n${usage}`, EX_USAGE);
  const path = args.config ?? DEFAULT_CONFIG_PATH;
  const loaded = loadConfig(path);
  if (!loaded.ok) throw new UserError(`${path}: ${loaded.problems.map(formatProblem).join('; ')}`, EX_CONFIG);
  const config = loaded.config;
  const overrides = new Map((args.node ?? []).map((t) => parseNodeFlag(t)).map((n) => [n.name, n.addresses]));
  const cidr = config.bgp.nodeAddressCIDRs;

  let objects: Objects;
  let nodes: RouterNode[];
  const files = args.manifests !== undefined || config.source === 'files';
  if (files) {
    objects = readManifests(args.manifests ?? config.files.manifests);
    const labels = config.files.nodeLabels;
    nodes =
      overrides.size > 0
        ? [...overrides].map(([name, addresses]) => ({ name, labels, addresses }))
        : [
            {
              name: config.nodeName || io.hostname(),
              labels,
              addresses: pickNodeAddresses(io.hostAddresses(), cidr),
            },
          ];
  } else {
    const cluster = await listCluster(await io.kubeClient(config));
    objects = cluster;
    nodes = clusterNodes(cluster.nodes as NodeObject[], cidr, overrides);
  }
  const r = routerConfig(target, {
    policies: objects.policies,
    pools: objects.pools,
    bfdProfiles: objects.bfdProfiles,
    nodes,
    router: args.router ? args.router.split(',') : [],
    defaultSecretNamespace: files ? 'default' : config.kubernetes.leaderElection.namespace,
  });
  for (const w of objects.warnings) io.stderr(`edgelb router-config: warning: ${w}\n`);
  if (!r.ok) {
    for (const e of r.errors) io.stderr(`edgelb router-config: error: ${e}\n`);
    io.stderr(`edgelb router-config: nothing printed for ${target}.\n`);
    return 1;
  }
  for (const w of r.warnings) io.stderr(`edgelb router-config: warning: ${w}\n`);
  io.stdout(r.text);
  return 0;
}

export const routerConfigCommand: Command = {
  name: 'router-config',
  summary: 'print the router side (FRR, BIRD, OPNsense, RouterOS) of the current policies',
  usage,
  options: ROUTER_CONFIG_OPTIONS,
  run: (argv) => runRouterConfig(argv),
};
