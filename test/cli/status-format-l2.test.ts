/** agent/cli/status-format.ts formatL2: the L2 lines of `edgelb status`, exactly. */
import { expect, test } from 'bun:test';
import { formatL2 } from '../../agent/cli/status-format.ts';

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
