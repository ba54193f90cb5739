/** Issue 20's configuration: kubernetes.withdrawWhenCordoned and the control section. */
import { expect, test } from 'bun:test';
import { defaultConfig, validateConfig } from '../../agent/config/schema.ts';

test('defaults: cordon withdraws; the control socket in /run/edgelb; 1 s settle; systemctl for the system state', () => {
  const c = defaultConfig();
  expect(c.kubernetes.withdrawWhenCordoned).toBe(true);
  expect(c.control).toEqual({
    socket: '/run/edgelb/control.sock',
    drainedFile: '/var/lib/edgelb/drained.json',
    settleSeconds: 1,
    drainTimeoutSeconds: 10,
    systemStateCommand: ['systemctl', 'is-system-running'],
  });
});

test('set and checked', () => {
  const ok = validateConfig({
    kubernetes: { withdrawWhenCordoned: false },
    files: { nodeLabels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } },
    control: { socket: '/tmp/x.sock', settleSeconds: 0.5, systemStateCommand: ['cat', '/tmp/state'] },
  });
  expect(ok.ok && ok.config.kubernetes.withdrawWhenCordoned).toBe(false);
  expect(ok.ok && ok.config.control.systemStateCommand).toEqual(['cat', '/tmp/state']);
  const bad = validateConfig({
    kubernetes: { withdrawWhenCordoned: 'no' },
    control: { settleSeconds: -1, systemStateCommand: 'systemctl', drainedFile: '' },
  });
  expect(bad.ok ? [] : bad.problems.map((p) => p.path).sort()).toEqual([
    'control.drainedFile',
    'control.settleSeconds',
    'control.systemStateCommand',
    'kubernetes.withdrawWhenCordoned',
  ]);
});
