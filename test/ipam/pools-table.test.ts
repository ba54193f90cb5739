/** A pool's compiled ranges, conflicts and facts (agent/ipam/pools.ts), exactly. */
import { describe, expect, test } from 'bun:test';
import { formatAddr } from '../../agent/ipam/addr.ts';
import {
  type CompiledPool,
  compilePool,
  contains,
  markConflicts,
  poolFacts,
  poolOrder,
} from '../../agent/ipam/pools.ts';
import type { PoolSpec } from '../../agent/ipam/types.ts';
import { pool } from './builders.ts';

const spec = (name: string, blocks: string[], o: Partial<PoolSpec> = {}): PoolSpec =>
  pool(name, blocks, { creationOrder: '2026-01-01T00:00:00Z', ...o });

const ranges = (p: CompiledPool) =>
  [...p.ranges[4], ...p.ranges[6]].map(
    (r) =>
      `${formatAddr({ family: r.family, value: r.first })}-${formatAddr({ family: r.family, value: r.last })}`,
  );

describe('compilePool', () => {
  const cases: [string[], string[], string][] = [
    [['10.0.0.1-10.0.0.2', '10.0.0.4-10.0.0.5'], ['10.0.0.1-10.0.0.2', '10.0.0.4-10.0.0.5'], '4'],
    [['10.0.0.4-10.0.0.5', '10.0.0.1-10.0.0.3'], ['10.0.0.1-10.0.0.5'], '5'],
    [['10.0.0.1-10.0.0.8', '10.0.0.2-10.0.0.3'], ['10.0.0.1-10.0.0.8'], '8'],
    [['10.0.0.1-10.0.0.4', '10.0.0.3-10.0.0.8', '10.0.0.9-10.0.0.9'], ['10.0.0.1-10.0.0.9'], '9'],
    [['10.0.0.5-10.0.0.6', '10.0.0.1-10.0.0.2', '10.0.0.3-10.0.0.4'], ['10.0.0.1-10.0.0.6'], '6'],
    [['10.0.0.0/29', '10.0.0.0/30'], ['10.0.0.1-10.0.0.6'], '6'],
    [['10.0.0.0/31'], ['10.0.0.0-10.0.0.1'], '2'],
    [['fd00:1:2:3::/64'], ['fd00:1:2:3::1-fd00:1:2:3:ffff:ffff:ffff:ffff'], '18446744073709551615'],
    [['fd00:0:0:1:8000::/66'], ['fd00:0:0:1:8000::-fd00::1:bfff:ffff:ffff:ffff'], '4611686018427387904'],
    [['fd00::200/126'], ['fd00::200-fd00::203'], '4'],
    [['fd00::/127'], ['fd00::-fd00::1'], '2'],
  ];
  for (const [blocks, want, total] of cases)
    test(blocks.join(' + '), () => {
      const p = compilePool(spec('p', blocks));
      expect(ranges(p)).toEqual(want);
      expect(p.total.toString()).toBe(total);
      expect(p.problems).toEqual([]);
    });

  test('a gap of one address stays a gap', () => {
    const p = compilePool(spec('p', ['10.0.0.1-10.0.0.2', '10.0.0.4-10.0.0.5']));
    expect([1, 2, 3, 4, 5, 6].map((i) => contains(p, 4, BigInt(0x0a000000 + i)))).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  test('problems name the bad part', () => {
    const problems = (blocks: PoolSpec['blocks']) => compilePool({ ...spec('p', []), blocks }).problems;
    expect(problems([])).toEqual(['spec.blocks is empty']);
    expect(problems([{ start: 'x', stop: '10.0.0.1' }])).toEqual([
      'blocks[0]: start "x" is not an IP address',
    ]);
    expect(problems([{ start: '10.0.0.1', stop: 'y' }])).toEqual([
      'blocks[0]: stop "y" is not an IP address',
    ]);
    expect(problems([{ start: 'x', stop: 'y' }])).toEqual(['blocks[0]: start "x" is not an IP address']);
  });
});

describe('pools between themselves', () => {
  test('poolOrder: older first, then by name', () => {
    const a = spec('a', [], { creationOrder: '2026-01-01T00:00:00Z' });
    const b = spec('b', [], { creationOrder: '2026-01-02T00:00:00Z' });
    const b0 = spec('b', [], { creationOrder: a.creationOrder });
    expect([poolOrder(a, b), poolOrder(b, a), poolOrder(a, b0), poolOrder(b0, a)]).toEqual([-1, 1, -1, 1]);
  });

  test('a conflict names the older pool and the overlap', () => {
    const conflict = (older: string, newer: string) => {
      const ps = [
        compilePool(spec('old', [older], { creationOrder: '2026-01-01T00:00:00Z' })),
        compilePool(spec('new', [newer], { creationOrder: '2026-01-02T00:00:00Z' })),
      ];
      markConflicts(ps);
      return [ps[0]?.conflict, ps[1]?.conflict?.message];
    };
    expect(conflict('10.0.0.1-10.0.0.4', '10.0.0.4-10.0.0.8')).toEqual([
      undefined,
      'blocks overlap older pool old at 10.0.0.4',
    ]);
    expect(conflict('10.0.0.1-10.0.0.4', '10.0.0.3-10.0.0.8')).toEqual([
      undefined,
      'blocks overlap older pool old at 10.0.0.3-10.0.0.4',
    ]);
    expect(conflict('10.0.0.3-10.0.0.8', '10.0.0.1-10.0.0.4')).toEqual([
      undefined,
      'blocks overlap older pool old at 10.0.0.3-10.0.0.4',
    ]);
    expect(conflict('10.0.0.1-10.0.0.4', '10.0.0.5-10.0.0.8')).toEqual([undefined, undefined]);
    expect(conflict('10.0.0.4-10.0.0.8', '10.0.0.1-10.0.0.4')).toEqual([
      undefined,
      'blocks overlap older pool old at 10.0.0.4',
    ]);
  });

  test('poolFacts: the first reason a pool hands out nothing', () => {
    const facts = (o: Partial<PoolSpec>, blocks = ['10.0.0.0/30']) =>
      poolFacts(compilePool(spec('p', blocks, o)), 1n);
    expect(facts({})).toEqual({
      name: 'p',
      total: '2',
      used: '1',
      available: '1',
      state: 'ready',
      why: 'is available',
    });
    expect([facts({ disabled: true }).state, facts({ disabled: true }).why]).toEqual([
      'disabled',
      'is disabled',
    ]);
    expect([facts({}, []).state, facts({ disabled: true }, []).state]).toEqual(['invalid', 'invalid']);
    expect(facts({}, ['10.0.0.1-10.0.0.1']).available).toBe('0');
  });
});
