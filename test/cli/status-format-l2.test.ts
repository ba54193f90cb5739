/** `edgelb status`: the L2 block, line by line. */
import { describe, expect, test } from 'bun:test';
import { formatL2, formatStatus } from '../../agent/cli/status-format.ts';
import { emptyStatus, type L2Doc } from '../../agent/http/status-doc.ts';

const ownership = (over: Partial<NonNullable<L2Doc['ownership']>> = {}): NonNullable<L2Doc['ownership']> => ({
  live: true,
  liveNodes: ['pi4', 'worker'],
  pending: [],
  fenceAt: '2026-12-06T18:00:00.000Z',
  heartbeatWrites: 3,
  lastError: '',
  ...over,
});

describe('formatL2', () => {
  test('files mode, nothing owned: one line, no heartbeat', () => {
    expect(formatL2({ active: true, owned: [], problems: [] })).toEqual([
      'L2:       no IP owned by this node',
    ]);
  });

  test('owned IPs counted once across interfaces, a table per interface sorted by name', () => {
    const l2: L2Doc = {
      active: true,
      owned: [
        { ip: '10.0.0.1', interface: 'eth1', since: 'x' },
        { ip: '10.0.0.1', interface: 'eth0', since: 'x' },
        { ip: '10.0.0.2', interface: 'eth0', since: 'x' },
      ],
      problems: ['10.0.0.3: no interface'],
      ownership: ownership(),
    };
    expect(formatL2(l2)).toEqual([
      'L2:       2 IP(s) owned, heartbeat live, live nodes: pi4 worker',
      'Interface   Owned IPs',
      'eth0        10.0.0.1 10.0.0.2',
      'eth1        10.0.0.1',
      'Problem:  10.0.0.3: no interface',
    ]);
  });

  test('fenced, no live node, waiting for a previous owner, a heartbeat error', () => {
    const l2: L2Doc = {
      active: true,
      owned: [],
      problems: [],
      ownership: ownership({
        live: false,
        liveNodes: [],
        pending: ['10.0.0.5', '10.0.0.6'],
        lastError: 'lease write failed: 409',
      }),
    };
    expect(formatL2(l2)).toEqual([
      'L2:       no IP owned by this node, heartbeat fenced: answering nothing, live nodes: none',
      'Waiting:  10.0.0.5 10.0.0.6 (previous owner not yet released)',
      'Heartbeat error: lease write failed: 409',
    ]);
  });

  test('shown by formatStatus only while active', () => {
    const s = emptyStatus('pi4', '1.0.0', 'files');
    s.l2 = { active: false, owned: [], problems: [] };
    expect(formatStatus(s)).not.toContain('L2:');
    s.l2.active = true;
    expect(formatStatus(s)).toContain('\n\nL2:       no IP owned by this node\n');
  });
});
