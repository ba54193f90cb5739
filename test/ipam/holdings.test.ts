/** The holding index: one entry per held address, listed per pool and per sharing key. */
import { describe, expect, test } from 'bun:test';
import { HoldingIndex } from '../../agent/ipam/holdings.ts';

const range = (first: bigint, last: bigint) => ({ family: 4 as const, first, last });

describe('HoldingIndex', () => {
  test('a created holding is found, counted in its pool, and its address is no longer free', () => {
    const ix = new HoldingIndex();
    const h = ix.create(4, 1n, '0.0.0.1', 'p');
    expect(ix.get('0.0.0.1')).toBe(h);
    expect(ix.count('p')).toBe(1);
    expect(ix.inPool('p')).toEqual([h]);
    expect(ix.lowestFree(range(1n, 3n))).toBe(2n);
    ix.drop(h);
    expect(ix.get('0.0.0.1')).toBeUndefined();
    expect(ix.count('p')).toBe(0);
    expect(ix.lowestFree(range(1n, 3n))).toBe(1n);
  });

  test('swap-remove keeps every other holding of the pool at its slot', () => {
    const ix = new HoldingIndex();
    const hs = [1n, 2n, 3n, 4n].map((v) => ix.create(4, v, `0.0.0.${v}`, 'p'));
    ix.drop(hs[1]!);
    const left = ix.inPool('p');
    expect(left.map((h) => h.value).sort()).toEqual([1n, 3n, 4n]);
    for (const [i, h] of left.entries()) expect(h.slot).toBe(i);
    ix.move(hs[0]!, 'q');
    expect(ix.count('p')).toBe(2);
    expect(ix.inPool('q')).toEqual([hs[0]!]);
    expect(hs[0]?.pool).toBe('q');
    for (const [i, h] of ix.inPool('p').entries()) expect(h.slot).toBe(i);
  });

  test('the sharing-key index counts holders and forgets a holding at zero', () => {
    const ix = new HoldingIndex();
    const h = ix.create(4, 1n, '0.0.0.1', 'p');
    ix.keyIndex('k', h, 1);
    ix.keyIndex('k', h, 1);
    ix.keyIndex('k', h, -1);
    expect([...ix.withKey('k')]).toEqual([h]);
    ix.keyIndex('k', h, -1);
    expect([...ix.withKey('k')]).toEqual([]);
  });

  test('in bulk, addresses become unavailable once bulkEnd builds the sets', () => {
    const ix = new HoldingIndex();
    ix.bulkStart();
    ix.create(4, 2n, '0.0.0.2', 'p');
    ix.create(4, 1n, '0.0.0.1', 'p');
    ix.bulkEnd();
    expect(ix.lowestFree(range(1n, 5n))).toBe(3n);
    ix.clear();
    expect(ix.lowestFree(range(1n, 5n))).toBe(1n);
    expect(ix.count('p')).toBe(0);
  });

  test('an empty list handed out cannot be pushed to by mistake', () => {
    const ix = new HoldingIndex();
    expect(() => (ix.inPool('none') as unknown as unknown[]).push(1)).toThrow();
  });
});
