/**
 * A fixed small sample of `bun run mutate` in the suite: eight mutants of agent/lib and
 * agent/cli (seed 1) must all be killed, the report must name the folders, and the run must
 * leave the worktree as it was and remove its sandbox.
 */
import { expect, test } from 'bun:test';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dir, '..', '..');
const WATCHED = [
  'agent/lib/backoff.ts',
  'agent/lib/metrics.ts',
  'agent/lib/suggest.ts',
  'agent/cli/status-format.ts',
];
const sandboxes = () => readdirSync(tmpdir()).filter((d) => d.startsWith('edgelb-mutate-'));

test('mutate --sample 4 --seed 1 on agent/lib and agent/cli kills every mutant', async () => {
  const before = WATCHED.map((f) => readFileSync(join(ROOT, f), 'utf8'));
  const already = new Set(sandboxes());
  const json = join(tmpdir(), `mutate-sample-${process.pid}.json`);
  const proc = Bun.spawn(
    [
      process.execPath,
      join(ROOT, 'scripts/mutate.ts'),
      '--folder',
      'agent/lib',
      '--folder',
      'agent/cli',
      '--sample',
      '4',
      '--seed',
      '1',
      '--quiet',
      '--json',
      json,
    ],
    { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' },
  );
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  expect({ code, err }).toEqual({ code: 0, err: '' });
  expect(out).toMatch(/^agent\/lib\s+4\s+\d+\s+4\s+0\s+0\s+0\s+100\.0%$/m);
  expect(out).toMatch(/^agent\/cli\s+4\s+\d+\s+4\s+0\s+0\s+0\s+100\.0%$/m);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { judged: { outcome: string }[] };
  rmSync(json, { force: true });
  expect(report.judged.map((j) => j.outcome)).toEqual(Array(8).fill('killed'));
  expect(WATCHED.map((f) => readFileSync(join(ROOT, f), 'utf8'))).toEqual(before);
  expect(sandboxes().filter((d) => !already.has(d))).toEqual([]);
}, 60_000);
