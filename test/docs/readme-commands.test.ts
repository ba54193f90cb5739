/**
 * Every `edgelb ...` command line in the README (code spans and code blocks) names a real
 * command and only options that command parses, so the guide cannot drift from the binary.
 */
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OptionSpec } from '../../agent/cli/args.ts';
import { commands } from '../../agent/cli/commands.ts';
import { ROOT } from '../support/cli.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The command lines: `edgelb ...` (or ./edgelb-linux-x64 ...) up to a pipe, a comment or the end of the span. */
function commandLines(text: string): string[] {
  const blocks = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'));
  const spans = [...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  const out: string[] = [];
  for (const line of [...blocks, ...spans]) {
    for (const m of line.matchAll(/(?:^|[\s$(;&])(?:edgelb|\.\/edgelb-linux-[a-z0-9-]+) ([a-z][^|#;&)]*)/g)) {
      out.push(m[1]!.trim());
    }
  }
  return out;
}

function optionNames(spec: OptionSpec | undefined): Set<string> {
  const names = new Set(['--help', '-h']);
  for (const [name, o] of Object.entries(spec ?? {})) {
    names.add(`--${name}`);
    if (o.short) names.add(`-${o.short}`);
  }
  return names;
}

function problemsIn(lines: readonly string[]): string[] {
  const problems: string[] = [];
  const byName = new Map(commands.map((c) => [c.name, c]));
  for (const line of lines) {
    const words = line.split(/\s+/).map((w) => w.replace(/^\[+|\]+$/g, ''));
    const name = words[0]!;
    if (name === 'help') continue;
    const command = byName.get(name);
    // Prose such as "edgelb only allocates": a lowercase word that is no command and has no options.
    if (!command) {
      if (words.some((w) => w.startsWith('-'))) problems.push(`${line}: no command "${name}"`);
      continue;
    }
    let spec = command.options;
    let rest = words.slice(1);
    if (command.subcommands) {
      const sub = command.subcommands.find((s) => s.name === rest[0]);
      if (sub) {
        spec = sub.options;
        rest = rest.slice(1);
      }
    }
    const known = optionNames(spec);
    for (const w of rest) {
      if (!/^--?[a-zA-Z]/.test(w)) continue;
      const flag = w.split('=')[0]!.replace(/[,.:]+$/, '');
      if (!known.has(flag)) problems.push(`${line}: ${flag} is not an option of edgelb ${name}`);
    }
  }
  return problems;
}

test('every edgelb command line in the README is a real command with real options', () => {
  const lines = commandLines(README);
  expect(lines.length).toBeGreaterThan(40);
  expect(problemsIn(lines)).toEqual([]);
});

test('the check finds a wrong option (it can fail)', () => {
  const lines = commandLines('Run `edgelb status --jsn` or\n```sh\nedgelb drain --config /x | cat\n```\n');
  expect(lines).toEqual(['drain --config /x', 'status --jsn']);
  expect(problemsIn(lines)).toEqual(['status --jsn: --jsn is not an option of edgelb status']);
  expect(problemsIn(['frobnicate --x'])).toEqual(['frobnicate --x: no command "frobnicate"']);
});
