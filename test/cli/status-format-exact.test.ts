/** agent/cli/status-format.ts: the L2 lines, the uptime and BFD cells and the pending Services of `edgelb status`, exactly. */
import { expect, test } from 'bun:test';
import { bfdCell, formatL2, formatStatus, formatUptime } from '../../agent/cli/status-format.ts';
import { emptyStatus } from '../../agent/http/status-doc.ts';

const OWN = {
  live: true,
  liveNodes: ['n1', 'n2'],
  pending: [],
  fenceAt: '',
  heartbeatWrites: 3,
  lastError: '',
};

test('files mode (no heartbeat view): the owned IPs per interface, sorted', () => {
  expect(
    formatL2({
      active: true,
      owned: [
        { ip: '10.0.0.2', interface: 'eth1', since: '' },
        { ip: '10.0.0.1', interface: 'eth0', since: '' },
        { ip: '10.0.0.3', interface: 'eth1', since: '' },
      ],
      problems: ['10.0.0.9 has no interface'],
    }),
  ).toEqual([
    'L2:       3 IP(s) owned',
    'Interface   Owned IPs',
    'eth0        10.0.0.1',
    'eth1        10.0.0.2 10.0.0.3',
    'Problem:  10.0.0.9 has no interface',
  ]);
  expect(formatL2({ active: true, owned: [], problems: [] })).toEqual(['L2:       no IP owned by this node']);
});

test('one interface is still a table; one waiting IP is still listed', () => {
  expect(
    formatL2({
      active: true,
      owned: [{ ip: '10.0.0.1', interface: 'eth0', since: '' }],
      problems: [],
      ownership: { ...OWN, pending: ['10.0.0.5'] },
    }),
  ).toEqual([
    'L2:       1 IP(s) owned, heartbeat live, live nodes: n1 n2',
    'Interface   Owned IPs',
    'eth0        10.0.0.1',
    'Waiting:  10.0.0.5 (previous owner not yet released)',
  ]);
});

test('kubernetes mode: heartbeat, waiting IPs and the last error', () => {
  expect(formatL2({ active: true, owned: [], problems: [], ownership: OWN })).toEqual([
    'L2:       no IP owned by this node, heartbeat live, live nodes: n1 n2',
  ]);
  expect(
    formatL2({
      active: true,
      owned: [],
      problems: [],
      ownership: {
        ...OWN,
        live: false,
        liveNodes: [],
        pending: ['10.0.0.5', '10.0.0.6'],
        lastError: 'timeout',
      },
    }),
  ).toEqual([
    'L2:       no IP owned by this node, heartbeat fenced: answering nothing, live nodes: none',
    'Waiting:  10.0.0.5 10.0.0.6 (previous owner not yet released)',
    'Heartbeat error: timeout',
  ]);
});

test('formatUptime: "<1s" only below one second', () => {
  expect([0, 0.5, 1, 1.5, 61].map(formatUptime)).toEqual(['<1s', '<1s', '1s', '1s', '1m1s']);
});

test('bfdCell: flaps counted in words, "No Diagnostic" and an empty one not shown', () => {
  const b = {
    state: 'Up',
    txIntervalMs: 300,
    rxIntervalMs: 300,
    multiplier: 3,
    lastDiagnostic: '',
    flaps: 0,
  };
  expect(bfdCell(b)).toBe('Up 300/300 ms x3');
  expect(bfdCell({ ...b, flaps: 1, lastDiagnostic: 'No Diagnostic' })).toBe('Up 300/300 ms x3, 1 flap');
  expect(bfdCell({ ...b, flaps: 2, lastDiagnostic: 'Neighbor Signaled Session Down' })).toBe(
    'Up 300/300 ms x3, 2 flaps, last: Neighbor Signaled Session Down',
  );
});

test('a Service still waiting for an IP is listed, not "No LoadBalancer Services."', () => {
  const s = emptyStatus('worker', '1.0.0', 'files');
  s.pending = [{ namespace: 'shop', name: 'web', reason: 'NoPool', message: 'no pool matches' }];
  const out = formatStatus(s);
  expect(out).not.toContain('No LoadBalancer Services.');
  expect(out).toContain('shop/web   <none: NoPool>');
  expect(formatStatus(emptyStatus('worker', '1.0.0', 'files'))).toContain('No LoadBalancer Services.');
});
