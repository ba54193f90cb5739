/** `edgelb status` rendering (pure): durations, health, the peers, Services and pools tables. */
import { describe, expect, test } from 'bun:test';
import { formatDuration, formatStatus } from '../../agent/cli/status-format.ts';
import { emptyStatus, isHealthy, type StatusDoc } from '../../agent/http/status-doc.ts';

describe('formatDuration', () => {
  test.each([
    [0, '-'],
    [-5, '-'],
    [1, '1s'],
    [59, '59s'],
    [60, '1m0s'],
    [61, '1m1s'],
    [3599, '59m59s'],
    [3600, '1h0m'],
    [3661, '1h1m'],
    [86399, '23h59m'],
    [86400, '1d0h'],
    [90061, '1d1h'],
    [2 * 86400 + 3 * 3600 + 59, '2d3h'],
  ])('%d s is %s', (s, want) => {
    expect(formatDuration(s)).toBe(want);
  });
});

function doc(over: Partial<StatusDoc> = {}): StatusDoc {
  return { ...emptyStatus('node-1', '1.2.3', 'kubernetes'), ready: true, ...over };
}

const PEER = {
  address: '192.0.2.1',
  port: 179,
  localASN: 65001,
  peerASN: 65000,
  state: 'Established',
  uptimeSeconds: 3661,
  advertised: 2,
};

describe('isHealthy', () => {
  test('ready, no problems, every peer Established', () => {
    expect(isHealthy(doc())).toBe(true);
    expect(isHealthy(doc({ ready: false }))).toBe(false);
    expect(isHealthy(doc({ problems: ['x'] }))).toBe(false);
    const bgp = (state: string) => ({ routerId: '', peers: [PEER, { ...PEER, state }], advertised: [] });
    expect(isHealthy(doc({ bgp: bgp('Established') }))).toBe(true);
    expect(isHealthy(doc({ bgp: bgp('Active') }))).toBe(false);
  });
});

describe('formatStatus', () => {
  test('an empty node', () => {
    expect(formatStatus(doc({ ready: false }))).toBe(
      [
        'Node:     node-1 (edgelb 1.2.3, degraded)',
        'Source:   kubernetes, not synced',
        'Leader:   none (this node follows)',
        '',
        'No BGP peers configured for this node.',
        '',
        'No LoadBalancer Services.',
        '',
      ].join('\n'),
    );
  });

  test('a leader with peers, Services, a pending one, pools and announcements', () => {
    const s = doc({
      problems: ['pool p overlaps q'],
      leader: { isLeader: true, holder: 'node-1' },
      source: { kind: 'files', synced: true },
      allocations: [{ namespace: 'default', name: 'web', ips: ['10.0.0.1', 'fd00::1'], pool: 'p' }],
      pending: [{ namespace: 'default', name: 'db', reason: 'pool-exhausted', message: 'full' }],
      pools: [
        {
          name: 'p',
          total: '4',
          used: '1',
          available: '3',
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Ok', message: '' },
            { type: 'Exhausted', status: 'False', reason: 'Ok', message: '' },
            { type: 'Overlaps', status: 'True', reason: 'Overlap', message: '' },
          ],
        },
      ],
      bgp: {
        routerId: '10.255.0.1',
        peers: [
          PEER,
          { ...PEER, address: '192.0.2.2', port: 1179, state: 'Active', uptimeSeconds: 0, advertised: 0 },
        ],
        advertised: ['10.0.0.1/32', 'fd00::1/128'],
      },
    });
    expect(formatStatus(s)).toBe(
      [
        'Node:     node-1 (edgelb 1.2.3, degraded)',
        'Source:   files, synced',
        'Leader:   this node',
        'RouterID: 10.255.0.1',
        'Problem:  pool p overlaps q',
        '',
        'Peer             Local ASN   Peer ASN   State         Uptime   Advertised',
        '192.0.2.1        65001       65000      Established   1h1m     2',
        '192.0.2.2:1179   65001       65000      Active        -        0',
        '',
        'Service       IPs                      Pool',
        'default/web   10.0.0.1,fd00::1         p',
        'default/db    <none: pool-exhausted>',
        '',
        'Pool   Total   Used   Available   Conditions',
        'p      4       1      3           Ready,Overlaps',
        '',
        'Announced: 10.0.0.1/32 fd00::1/128',
        '',
      ].join('\n'),
    );
  });

  test('an empty document is not ready and names nothing', () => {
    expect(emptyStatus('n', 'v', 'files')).toEqual({
      node: 'n',
      version: 'v',
      ready: false,
      problems: [],
      leader: { isLeader: false, holder: '' },
      source: { kind: 'files', synced: false },
      allocations: [],
      pending: [],
      pools: [],
      bgp: { routerId: '', peers: [], advertised: [] },
    });
  });

  test('one announced prefix is listed', () => {
    const out = formatStatus(doc({ bgp: { routerId: '', peers: [], advertised: ['10.0.0.1/32'] } }));
    expect(out.endsWith('\n\nAnnounced: 10.0.0.1/32\n')).toBe(true);
  });

  test('a follower names the holder', () => {
    const out = formatStatus(doc({ leader: { isLeader: false, holder: 'node-2' } }));
    expect(out).toContain('Leader:   node-2 (this node follows)\n');
    expect(out).toContain('(edgelb 1.2.3, healthy)');
  });
});

describe('the Down lines', () => {
  const error = { message: 'connect failed: connection refused (ECONNREFUSED)', at: '2026-12-06T12:00:00Z' };
  const bgp = (peers: StatusDoc['bgp']['peers']) => ({ routerId: '192.0.2.10', peers, advertised: [] });

  test('a peer that is not Established shows its last error and since when', () => {
    const text = formatStatus(
      doc({ bgp: bgp([{ ...PEER, state: 'Active', uptimeSeconds: 0, lastError: error }]) }),
    );
    expect(text).toContain(`Down:     192.0.2.1: ${error.message} (since ${error.at})`);
  });

  test('an Established peer never gets a Down line, even with an old error on record', () => {
    const text = formatStatus(doc({ bgp: bgp([{ ...PEER, lastError: error }]) }));
    expect(text).not.toContain('Down:');
  });
});
