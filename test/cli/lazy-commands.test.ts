/** agent/main.ts loads each command's module lazily: its table must match the modules. */
import { expect, test } from 'bun:test';
import { commands } from '../../agent/main.ts';

test('every lazy command loads the module of its name, with the same summary', async () => {
  expect(commands.map((c) => c.name)).toEqual([
    'run',
    'status',
    'check-config',
    'doctor',
    'manifests',
    'kubeconfig',
    'convert',
    'router-config',
    'bgp',
    'version',
  ]);
  for (const entry of commands) {
    const command = await entry.load();
    expect(command.name).toBe(entry.name);
    expect(command.summary).toBe(entry.summary);
  }
});
