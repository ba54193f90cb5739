/**
 * The README's benchmark, fuzz, chaos, soak and mutation commands take minutes, so they are not
 * run here: each resolves to a script that exists (through package.json for `bun run X`),
 * every option the README gives it is one the script reads, and the scripts build (every
 * import resolves, Bun parses them). Their engines run in the suite at small sizes (the
 * manifest in readme-coverage.test.ts names where).
 */
import { expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';
import { BENCH_COMMANDS } from './readme-manifest.ts';
import { readmeCommands } from './readme-shell.ts';

const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The script file a command runs, through package.json's scripts for `bun run NAME`. */
export function scriptOf(cmd: string): string {
  const words = cmd.replace(/^sudo /, '').split(' ');
  if (words[1] === 'run') {
    const script = PACKAGE.scripts[words[2]!];
    if (!script) throw new Error(`package.json has no script ${words[2]}`);
    const file = script.split(' ').find((w) => /\.ts$/.test(w));
    if (!file) throw new Error(`script ${words[2]} runs no .ts file: ${script}`);
    return file;
  }
  return words[1]!;
}

/** The options a command gives (`--name`), brackets and values left out. */
export function optionsOf(cmd: string): string[] {
  return [...cmd.matchAll(/(?:^|[\s[])--([a-z][a-z-]*)/g)].map((m) => m[1]!);
}

/** Whether a script's source reads option `name`: `arg('name')`, `'--name'`, or a parseArgs key. */
export function reads(source: string, name: string): boolean {
  return (
    source.includes(`'${name}'`) ||
    source.includes(`'--${name}'`) ||
    source.includes(`"--${name}"`) ||
    new RegExp(`^\\s*'?${name}'?: \\{ type:`, 'm').test(source)
  );
}

test('every long-running command of the README is listed here, and every one listed is in the README', () => {
  const inReadme = readmeCommands(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((c) =>
    /^(sudo )?bun (run (bench|fuzz|chaos|soak|mutate)|test\/bench\/)/.test(c),
  );
  expect([...inReadme].sort()).toEqual([...BENCH_COMMANDS].sort());
});

test('each resolves to a script that reads every option the README gives it', () => {
  const problems: string[] = [];
  for (const cmd of BENCH_COMMANDS) {
    const file = scriptOf(cmd);
    if (!existsSync(join(ROOT, file))) {
      problems.push(`${cmd}: ${file} does not exist`);
      continue;
    }
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const o of optionsOf(cmd))
      if (!reads(source, o)) problems.push(`${cmd}: ${file} never reads --${o}`);
  }
  expect(problems).toEqual([]);
});

test('bun run mutate runs under nice -n 19, as the README says', () => {
  expect(PACKAGE.scripts.mutate).toStartWith('nice -n 19 ');
});

test('the check can fail: an option no script reads, a script that is not there', () => {
  expect(optionsOf('bun run chaos [--seed N] [--minutes M]')).toEqual(['seed', 'minutes']);
  expect(reads("const x = arg('minutes');", 'minutes')).toBe(true);
  expect(reads("const x = arg('minutes');", 'hours')).toBe(false);
  expect(reads('    parts: { type: "string" },', 'parts')).toBe(true);
  expect(() => scriptOf('bun run bench:nothing')).toThrow('package.json has no script bench:nothing');
});

test('the scripts build: every import resolves and Bun parses them', async () => {
  const entrypoints = [...new Set(BENCH_COMMANDS.map((c) => join(ROOT, scriptOf(c))))];
  const r = await Bun.build({ entrypoints, target: 'bun', throw: false });
  expect(r.logs.filter((l) => l.level === 'error').map(String)).toEqual([]);
  expect(r.success).toBe(true);
  expect(r.outputs.length).toBeGreaterThanOrEqual(entrypoints.length);
}, 60_000);
