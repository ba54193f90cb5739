/** heartbeatView(lease, known): claims already parsed from the same text are reused, others parsed. */
import { describe, expect, test } from 'bun:test';
import { heartbeatLease, heartbeatView } from '../../agent/l2/heartbeat-lease.ts';

const lease = (owned: string[], now: number) =>
  heartbeatLease(undefined, 'edgelb', {
    node: 'n1',
    now,
    durationSeconds: 2,
    owned,
    acquireTime: '2026-12-06T12:00:00.000000Z',
  });

describe('heartbeatView with known claims', () => {
  test('same annotation text: the known set itself; different text: parsed afresh', () => {
    const first = heartbeatView(lease(['192.168.2.201', '192.168.2.200'], 1000))!;
    expect([...first.owned]).toEqual(['192.168.2.200', '192.168.2.201']);
    const known = { text: '192.168.2.200,192.168.2.201', owned: first.owned };
    const renewed = heartbeatView(lease(['192.168.2.200', '192.168.2.201'], 1500), known)!;
    expect(renewed.owned).toBe(first.owned);
    // Everything else is read from the new Lease: a renewal is still a change.
    expect(renewed.raw).not.toBe(first.raw);
    const moved = heartbeatView(lease(['192.168.2.202'], 2000), known)!;
    expect(moved.owned).not.toBe(first.owned);
    expect([...moved.owned]).toEqual(['192.168.2.202']);
  });

  test('ownedText, when given, is the annotation as written', () => {
    const l = heartbeatLease(undefined, 'edgelb', {
      node: 'n1',
      now: 1000,
      durationSeconds: 2,
      owned: ['192.168.2.200'],
      ownedText: '192.168.2.200',
      acquireTime: '2026-12-06T12:00:00.000000Z',
    });
    expect(l.metadata.annotations?.['edgelb.io/l2-owned']).toBe('192.168.2.200');
  });
});
