/** `edgelb status` shows a drained, excluded or cordoned node; an active one adds no line. */
import { expect, test } from 'bun:test';
import { formatStatus } from '../../agent/cli/status-format.ts';
import { emptyStatus, isHealthy, type StatusDoc } from '../../agent/http/status-doc.ts';

const doc = (maintenance: StatusDoc['maintenance']): StatusDoc => ({
  ...emptyStatus('pi4', '1.2.3', 'kubernetes'),
  ready: true,
  ...(maintenance ? { maintenance } : {}),
});

test('drained and cordoned: the state line names every reason, then each message', () => {
  const out = formatStatus(
    doc({
      state: 'drained',
      drained: true,
      reasons: [
        { reason: 'NodeDrained', message: 'drained with `edgelb drain`' },
        { reason: 'NodeCordoned', message: 'the node is cordoned' },
      ],
    }),
  );
  expect(out).toContain('State:    drained: announcing nothing (NodeDrained, NodeCordoned)\n');
  expect(out).toContain('          NodeDrained: drained with `edgelb drain`\n');
  expect(out).toContain('          NodeCordoned: the node is cordoned\n');
});

test('active: no state line; a drained node is still healthy (it is on purpose)', () => {
  expect(formatStatus(doc({ state: 'active', drained: false, reasons: [] }))).not.toContain('State:');
  expect(formatStatus(doc(undefined))).not.toContain('State:');
  expect(
    isHealthy(doc({ state: 'drained', drained: true, reasons: [{ reason: 'NodeDrained', message: '' }] })),
  ).toBe(true);
});
