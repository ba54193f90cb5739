#!/usr/bin/env bun
/** edgelb command line: dispatches to one subcommand; usage errors exit 2. */
import type { Command } from './cli/args.ts';
import { EX_USAGE, UserError } from './lib/errors.ts';

/** A command whose module (and everything it imports) loads only when it runs. */
export interface LazyCommand {
  name: string;
  /** Must equal the module's Command.summary (test/cli/lazy-commands.test.ts checks it). */
  summary: string;
  load(): Promise<Command>;
}

// Lazy: `edgelb run` never evaluates the converter, doctor, router-config, kubeconfig or
// manifests code, about 5 MB less resident memory for the agent (README, "The systemd unit").
export const commands: LazyCommand[] = [
  { name: 'run', summary: 'run the agent', load: async () => (await import('./cli/run.ts')).runCommand },
  {
    name: 'status',
    summary: 'show leader, peers, prefixes and allocations of the local agent',
    load: async () => (await import('./cli/status.ts')).statusCommand,
  },
  {
    name: 'check-config',
    summary: 'validate the configuration file',
    load: async () => (await import('./cli/check-config.ts')).checkConfigCommand,
  },
  {
    name: 'doctor',
    summary: 'check the config, kubeconfig, manifests and pools (--online: API server, RBAC, Node, peers)',
    load: async () => (await import('./cli/doctor.ts')).doctorCommand,
  },
  {
    name: 'manifests',
    summary: 'print the CRDs and RBAC as YAML',
    load: async () => (await import('./cli/manifests.ts')).manifestsCommand,
  },
  {
    name: 'kubeconfig',
    summary: 'set up RBAC and print a kubeconfig for the nodes (run where kubectl works)',
    load: async () => (await import('./cli/kubeconfig.ts')).kubeconfigCommand,
  },
  {
    name: 'convert',
    summary: 'convert Cilium or MetalLB pools, BGP, BFD and L2 settings to edgelb resources',
    load: async () => (await import('./cli/convert.ts')).convertCommand,
  },
  {
    name: 'router-config',
    summary: 'print the router side (FRR, BIRD, OPNsense, RouterOS) of the current policies',
    load: async () => (await import('./cli/router-config.ts')).routerConfigCommand,
  },
  {
    name: 'bgp',
    summary: 'BGP tools: "bgp listen" collects and prints routes from peers',
    load: async () => (await import('./cli/bgp.ts')).bgpCommand,
  },
  {
    name: 'version',
    summary: 'print version, commit and target',
    load: async () => (await import('./cli/version.ts')).versionCommand,
  },
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: edgelb <command> [options]',
    '',
    'LoadBalancer IPs for bare-metal Kubernetes: IPAM with leader election, announced over BGP.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    '',
    'Run "edgelb <command> --help" for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const out = name === undefined ? process.stderr : process.stdout;
    out.write(`${usage()}\n`);
    return name === undefined ? EX_USAGE : 0;
  }
  if (name === '--version') return (await import('./cli/version.ts')).versionCommand.run([]);
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`edgelb: unknown command "${name}"\n\n${usage()}\n`);
    return EX_USAGE;
  }
  try {
    const command = await entry.load();
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`edgelb ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`edgelb ${name}: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
