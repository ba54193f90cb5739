#!/usr/bin/env bun
/** edgelb command line: dispatches to one subcommand; usage errors exit 2. */
import type { Command } from './cli/args.ts';
import { bgpCommand } from './cli/bgp.ts';
import { checkConfigCommand } from './cli/check-config.ts';
import { convertCommand } from './cli/convert.ts';
import { doctorCommand } from './cli/doctor.ts';
import { kubeconfigCommand } from './cli/kubeconfig.ts';
import { manifestsCommand } from './cli/manifests.ts';
import { planCommand } from './cli/plan.ts';
import { routerConfigCommand } from './cli/router-config.ts';
import { runCommand } from './cli/run.ts';
import { statusCommand } from './cli/status.ts';
import { versionCommand } from './cli/version.ts';
import { EX_USAGE, UserError } from './lib/errors.ts';

const commands: Command[] = [
  runCommand,
  statusCommand,
  checkConfigCommand,
  doctorCommand,
  manifestsCommand,
  kubeconfigCommand,
  convertCommand,
  routerConfigCommand,
  planCommand,
  bgpCommand,
  versionCommand,
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
  if (name === '--version') return versionCommand.run([]);
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`edgelb: unknown command "${name}"\n\n${usage()}\n`);
    return EX_USAGE;
  }
  try {
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
