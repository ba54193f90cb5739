/** lib/system-state.ts: the first word of the command's output; any failure reads as "". */
import { expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readSystemStateReport,
  readSystemStateTwice,
  SYSTEM_STOPPING,
} from '../../agent/lib/system-state.ts';

const state = async (cmd: string[], ms: number) => (await readSystemStateReport(cmd, ms)).state;
const stopping = async (cmd: string[], ms: number) => (await state(cmd, ms)) === SYSTEM_STOPPING;

test('the state word, whatever the exit code (is-system-running exits 1 for "stopping")', async () => {
  expect(await state(['sh', '-c', 'echo stopping; exit 1'], 2000)).toBe('stopping');
  expect(await stopping(['sh', '-c', 'echo stopping; exit 1'], 2000)).toBe(true);
  expect(await stopping(['echo', 'running'], 2000)).toBe(false);
  expect(await stopping(['echo', 'degraded'], 2000)).toBe(false);
});

test('no command, a missing binary, a command that hangs: not stopping, within the bound', async () => {
  expect(await stopping([], 2000)).toBe(false);
  expect(await stopping(['/nonexistent/systemctl', 'is-system-running'], 2000)).toBe(false);
  const t0 = performance.now();
  expect(await stopping(['sleep', '5'], 300)).toBe(false);
  expect(performance.now() - t0).toBeLessThan(2000);
});

test('the report says why there is no state: the stderr line, the missing file, no command', async () => {
  expect(
    await readSystemStateReport(
      ['sh', '-c', 'echo "Failed to connect to bus: No such file" >&2; exit 1'],
      2000,
    ),
  ).toEqual({
    state: '',
    problem: 'sh: Failed to connect to bus: No such file (exit 1)',
  });
  const missing = await readSystemStateReport(['/nonexistent/systemctl', 'is-system-running'], 2000);
  expect(missing.state).toBe('');
  expect(missing.problem).toStartWith('/nonexistent/systemctl: ');
  expect(missing.problem).toContain('ENOENT');
  expect(await readSystemStateReport(['sh', '-c', 'exit 3'], 2000)).toEqual({
    state: '',
    problem: 'sh: exit 3, no output',
  });
  expect(await readSystemStateReport(['true'], 2000)).toEqual({
    state: '',
    problem: 'true: exit 0, no output',
  });
  expect(await readSystemStateReport(['sleep', '5'], 200)).toEqual({
    state: '',
    problem: 'sleep: no answer within 200 ms, no output',
  });
  expect((await readSystemStateReport(['sh', '-c', 'kill -9 $$'], 2000)).problem).toBe(
    'sh: killed by SIGKILL, no output',
  );
  expect(await readSystemStateReport([], 2000)).toEqual({ state: '', problem: 'no command configured' });
  expect(await readSystemStateReport(['echo', 'running'], 2000)).toEqual({ state: 'running' });
});

test('asked twice: a first answer without a state is asked again once; a state the first time is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-state-'));
  const count = join(dir, 'n');
  // Fails silently the first time, says "stopping" the second.
  const cmd = ['sh', '-c', `if [ -e ${count} ]; then echo stopping; else touch ${count}; exit 1; fi`];
  try {
    expect(await readSystemStateTwice(cmd, 2000, 10)).toEqual({ state: 'stopping' });
    expect(await readSystemStateTwice(['sh', '-c', `echo x >> ${count}.2; echo running`], 2000, 10)).toEqual({
      state: 'running',
    });
    expect(readFileSync(`${count}.2`, 'utf8')).toBe('x\n');
    expect(await readSystemStateTwice(['sh', '-c', 'exit 2'], 2000, 10)).toEqual({
      state: '',
      problem: 'sh: exit 2, no output',
    });
    expect(await readSystemStateTwice([], 2000, 10)).toEqual({ state: '', problem: 'no command configured' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
