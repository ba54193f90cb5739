/** Pool conditions, built on the reconcile side from the IPAM's pool facts. */
import { describe, expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import type { PoolFacts } from '../../agent/ipam/types.ts';
import { poolConditions, poolResult } from '../../agent/reconcile/plan/pool-conditions.ts';
import { pool, svc } from '../ipam/builders.ts';

describe('pool conditions', () => {
  test('Conflict condition names the older pool', () => {
    const ipam = new Ipam();
    ipam.restore(
      [pool('old', ['10.0.0.0/24']), pool('new', ['10.0.0.128/25', '10.9.0.0/24'])],
      [svc('x', { labels: {} })],
    );
    const [older, newer] = ipam.pools().map(poolResult);
    expect(older?.conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Ready=True',
      'Conflict=False',
      'Exhausted=False',
    ]);
    expect(newer?.conditions.find((c) => c.type === 'Conflict')).toMatchObject({
      status: 'True',
      reason: 'BlocksOverlap',
    });
    expect(newer?.conditions.find((c) => c.type === 'Conflict')?.message).toContain(
      'older pool old at 10.0.0.128-10.0.0.255',
    );
    expect(newer?.conditions.find((c) => c.type === 'Ready')?.status).toBe('False');
  });
  const facts = (f: Partial<PoolFacts>): PoolFacts => ({
    name: 'p',
    total: '4',
    used: '1',
    available: '3',
    state: 'ready',
    why: 'is available',
    ...f,
  });
  const cases: [string, Partial<PoolFacts>, string[]][] = [
    [
      'ready with room',
      {},
      ['Ready=True/Ready', 'Conflict=False/NoOverlap', 'Exhausted=False/HasFreeAddresses'],
    ],
    [
      'full',
      { used: '4', available: '0' },
      ['Ready=True/Ready', 'Conflict=False/NoOverlap', 'Exhausted=True/NoFreeAddress'],
    ],
    [
      'disabled',
      { state: 'disabled', why: 'is disabled' },
      ['Ready=False/Disabled', 'Conflict=False/NoOverlap', 'Exhausted=False/HasFreeAddresses'],
    ],
    [
      'invalid',
      { state: 'invalid', why: 'is invalid (x)' },
      ['Ready=False/Invalid', 'Conflict=False/NoOverlap', 'Exhausted=False/HasFreeAddresses'],
    ],
    [
      'in conflict',
      { state: 'conflict', why: 'is in conflict (overlap)', conflict: 'overlap' },
      ['Ready=False/Conflict', 'Conflict=True/BlocksOverlap', 'Exhausted=False/HasFreeAddresses'],
    ],
  ];
  for (const [name, f, want] of cases)
    test(name, () => {
      expect(poolConditions(facts(f)).map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(want);
    });
  test('messages carry the figures and the reason', () => {
    const [ready, , exhausted] = poolConditions(facts({ state: 'disabled', why: 'is disabled' }));
    expect(ready?.message).toBe('the pool is disabled; existing allocations stay');
    expect(exhausted?.message).toBe('3 of 4 addresses free');
    expect(poolConditions(facts({ available: '0' }))[2]?.message).toBe('all 4 addresses are in use');
    expect(poolResult(facts({}))).toMatchObject({ name: 'p', total: '4', used: '1', available: '3' });
  });
});
