/** lib/system-state.ts: the first word of the command's output; any failure reads as "". */
import { expect, test } from 'bun:test';
import { readSystemState, systemIsStopping } from '../../agent/lib/system-state.ts';

test('the state word, whatever the exit code (is-system-running exits 1 for "stopping")', async () => {
  expect(await readSystemState(['sh', '-c', 'echo stopping; exit 1'], 2000)).toBe('stopping');
  expect(await systemIsStopping(['sh', '-c', 'echo stopping; exit 1'], 2000)).toBe(true);
  expect(await systemIsStopping(['echo', 'running'], 2000)).toBe(false);
  expect(await systemIsStopping(['echo', 'degraded'], 2000)).toBe(false);
});

test('no command, a missing binary, a command that hangs: not stopping, within the bound', async () => {
  expect(await systemIsStopping([], 2000)).toBe(false);
  expect(await systemIsStopping(['/nonexistent/systemctl', 'is-system-running'], 2000)).toBe(false);
  const t0 = performance.now();
  expect(await systemIsStopping(['sleep', '5'], 300)).toBe(false);
  expect(performance.now() - t0).toBeLessThan(2000);
});
