#!/usr/bin/env bun
/** edgelb command line: dispatches to one subcommand; usage errors exit 2. */
import type { Command } from './cli/args.ts';
import { EX_USAGE, UserError } from './lib/errors.ts';
import { JOURNAL_PRIORITY, stderrIsJournal } from './lib/log.ts';
import { didYouMean } from './lib/suggest.ts';

/**
 * `edgelb run` loads only its own module: the agent never evaluates the converter, doctor,
 * router-config, completion or the other commands (about 3 MB less resident memory; README,
 * "The systemd unit"). Every other command reads the whole table (agent/cli/commands.ts).
 */
async function table(): Promise<Command[]> {
  return (await import('./cli/commands.ts')).commands;
}

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: edgelb <command> [options]',
    '',
    'LoadBalancer IPs for bare-metal Kubernetes: IPAM with leader election, announced over BGP.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    '',
    'Run "edgelb help <command>" or "edgelb <command> --help" (-h) for the options of a command.',
  ].join('\n');
}

/** Under journald, every line of an error gets the LOG_ERR priority prefix. */
function journalLines(text: string): string {
  return stderrIsJournal() ? text.replace(/^(?=.)/gm, `<${JOURNAL_PRIORITY.error}>`) : text;
}

function unknownCommand(name: string, commands: readonly Command[]): number {
  const hint = didYouMean(
    name,
    commands.map((c) => c.name),
  );
  process.stderr.write(
    `edgelb: unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}\n\n${usage(commands)}\n`,
  );
  return EX_USAGE;
}

async function find(name: string): Promise<Command | undefined> {
  if (name === 'run') return (await import('./cli/run.ts')).runCommand;
  return (await table()).find((c) => c.name === name);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) {
    const commands = await table();
    const topic = commands.find((c) => c.name === rest[0]);
    if (!topic) return unknownCommand(rest[0]!, commands);
    process.stdout.write(`${topic.usage}\n`);
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const out = name === undefined ? process.stderr : process.stdout;
    out.write(`${usage(await table())}\n`);
    return name === undefined ? EX_USAGE : 0;
  }
  const command = await find(name === '--version' ? 'version' : name);
  if (!command) return unknownCommand(name, await table());
  try {
    return await command.run(name === '--version' ? [] : rest);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(journalLines(`edgelb ${name}: ${err.message}\n`));
      return err.exitCode;
    }
    process.stderr.write(journalLines(`edgelb ${name}: ${(err as Error)?.stack ?? String(err)}\n`));
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
