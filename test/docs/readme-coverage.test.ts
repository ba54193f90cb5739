/**
 * Every shell command the README shows is run by a test or by the demo: each has an entry in
 * readme-manifest.ts, the file the entry names exists and contains the command (or the
 * equivalent invocation it names), and no entry is left over from a command the README no
 * longer shows.
 */
import { expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';
import { COVERAGE, type Coverage } from './readme-manifest.ts';
import { readmeCommands } from './readme-shell.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const flat = (s: string) => s.replace(/\s+/g, ' ');

/** What is wrong with the manifest for these commands; [] when each is covered. */
export function coverageProblems(
  commands: readonly string[],
  coverage: Record<string, Coverage>,
  read: (path: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  for (const cmd of commands) {
    const c = coverage[cmd];
    if (!c) {
      problems.push(`no test runs: ${cmd}`);
      continue;
    }
    if (!/^(test\/.+\.ts|scripts\/demo\.ts|\.ci\/run)$/.test(c.by)) {
      problems.push(`${cmd}: ${c.by} is not a test, the demo or .ci/run`);
      continue;
    }
    const text = read(c.by);
    if (text === undefined) {
      problems.push(`${cmd}: ${c.by} does not exist`);
      continue;
    }
    for (const frag of c.runs ?? [cmd]) {
      if (!flat(text).includes(flat(frag))) problems.push(`${cmd}: ${c.by} does not contain ${frag}`);
    }
  }
  for (const cmd of Object.keys(coverage)) {
    if (!commands.includes(cmd)) problems.push(`the README no longer shows: ${cmd}`);
  }
  return problems;
}

function readRepo(path: string): string | undefined {
  const p = join(ROOT, path);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

test('every README command is run by the test or demo its manifest entry names', () => {
  const commands = readmeCommands(README);
  expect(commands.length).toBeGreaterThan(140);
  expect(coverageProblems(commands, COVERAGE, readRepo)).toEqual([]);
});

test('the check can fail: a command without an entry, a file without the command, a stale entry', () => {
  const files: Record<string, string> = { 'test/a.test.ts': "runCli(['status', '--json'])" };
  const read = (p: string) => files[p];
  expect(
    coverageProblems(
      ['edgelb status --json', 'edgelb doctor', 'edgelb version'],
      {
        'edgelb status --json': { by: 'test/a.test.ts', runs: ["'status', '--json'"] },
        'edgelb version': { by: 'test/a.test.ts' },
        'edgelb gone': { by: 'test/a.test.ts' },
      },
      read,
    ),
  ).toEqual([
    'no test runs: edgelb doctor',
    'edgelb version: test/a.test.ts does not contain edgelb version',
    'the README no longer shows: edgelb gone',
  ]);
  expect(coverageProblems(['x y'], { 'x y': { by: 'agent/x.ts' } }, read)).toEqual([
    'x y: agent/x.ts is not a test, the demo or .ci/run',
  ]);
});

test('the extraction: sh blocks line by line (heredoc bodies and comments out), transcripts, command spans', () => {
  const text = [
    'Run `edgelb status --json` or `edgelb.io/ips` (an annotation) and `kubectl get svc -A`.',
    '```sh',
    '# a comment',
    "kubectl apply -f - <<'EOF'",
    'kind: Secret',
    'EOF',
    'sudo edgelb drain            # returns once drained',
    '```',
    '```',
    '$ edgelb plan -f shrink.yaml',
    'Services whose IPs would change (1):',
    '```',
    '```yaml',
    'kind: Pool',
    '```',
  ].join('\n');
  expect(readmeCommands(text)).toEqual([
    "kubectl apply -f - <<'EOF'",
    'sudo edgelb drain',
    'edgelb plan -f shrink.yaml',
    'edgelb status --json',
    'kubectl get svc -A',
  ]);
});
