/** The allocator's building blocks against simple models: the run set, the address codec. */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { formatAddr, parseAddr, parseAddrText } from '../../agent/ipam/addr.ts';
import { compareOrdered, creationKey } from '../../agent/ipam/order.ts';
import { RunSet } from '../../agent/ipam/run-set.ts';
import { formatIP, parseIP } from '../../agent/net/ip.ts';
import { seeded } from '../support/property.ts';

describe('RunSet', () => {
  test('behaves like a Set of addresses, with maximal runs and lowestFree', () => {
    const op = fc.record({ add: fc.boolean(), x: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120, size: 'max' }), (ops) => {
        const rs = new RunSet();
        const model = new Set<number>();
        for (const { add, x } of ops) {
          expect(add ? rs.add(BigInt(x)) : rs.delete(BigInt(x))).toBe(add ? !model.has(x) : model.has(x));
          if (add) model.add(x);
          else model.delete(x);
        }
        const sorted = [...model].sort((a, b) => a - b);
        const runs: [bigint, bigint][] = [];
        for (const v of sorted) {
          const last = runs[runs.length - 1];
          if (last && last[1] === BigInt(v) - 1n) last[1] = BigInt(v);
          else runs.push([BigInt(v), BigInt(v)]);
        }
        expect(rs.toArray()).toEqual(runs);
        expect(rs.size).toBe(BigInt(model.size));
        for (let lo = 0; lo <= 40; lo += 7) {
          let want: number | undefined;
          for (let v = lo; v <= lo + 10; v++)
            if (!model.has(v)) {
              want = v;
              break;
            }
          expect(rs.lowestFree(BigInt(lo), BigInt(lo + 10))).toBe(
            want === undefined ? undefined : BigInt(want),
          );
        }
      }),
      seeded(200),
    );
  });
  test('RunSet.of (restore) equals adding one by one, and stays a valid tree for later changes', () => {
    const big = 1n << 100n;
    const op = fc.record({ add: fc.boolean(), x: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }),
        fc.constantFrom('small', 'offset', 'spread'),
        fc.array(op, { maxLength: 80 }),
        (initial, mode, ops) => {
          // small: plain doubles; offset: past 2^53 but close together (doubles from the
          // minimum); spread: half past 2^100, a span beyond 2^53 (the BigInt sort).
          const at = (x: number) =>
            mode === 'offset' || (mode === 'spread' && x >= 20) ? big + BigInt(x) : BigInt(x);
          const built = RunSet.of(initial.map(at));
          const model = new RunSet();
          for (const x of initial) model.add(at(x));
          expect(built.toArray()).toEqual(model.toArray());
          expect(built.size).toBe(model.size);
          expect(built.runCount).toBe(model.runCount);
          for (const { add, x } of ops) {
            const v = at(x);
            expect(add ? built.add(v) : built.delete(v)).toBe(add ? model.add(v) : model.delete(v));
          }
          expect(built.toArray()).toEqual(model.toArray());
          expect(built.height).toBeLessThanOrEqual(Math.ceil(1.45 * Math.log2(built.runCount + 2)));
          for (let lo = 0; lo <= 40; lo += 5)
            expect(built.lowestFree(at(lo), at(lo) + 9n)).toBe(model.lowestFree(at(lo), at(lo) + 9n));
        },
      ),
      seeded(300),
    );
    // Many runs, shuffled: the tree comes out perfectly balanced, and stays AVL-balanced.
    const spread = Array.from({ length: 4096 }, (_, i) => BigInt(((i * 7919) % 4096) * 2));
    const set = RunSet.of(spread);
    expect(set.runCount).toBe(4096);
    expect(set.height).toBe(13);
    for (let i = 0n; i < 2000n; i++) set.add(10000n + i * 2n);
    expect(set.height).toBeLessThanOrEqual(Math.ceil(1.45 * Math.log2(set.runCount + 2)));
    expect(set.lowestFree(0n, 10n)).toBe(1n);
    expect(set.lowestFree(8190n, 8190n)).toBeUndefined();
    expect(set.lowestFree(8190n, 9000n)).toBe(8191n);
  });
  test('a /64 worth of space costs one node per run', () => {
    const rs = new RunSet();
    const base = 0xfd00n << 112n;
    for (let i = 0n; i < 1000n; i++) rs.add(base + i);
    rs.add(base + (1n << 63n));
    expect(rs.runCount).toBe(2);
    expect(rs.lowestFree(base, base + (1n << 64n) - 1n)).toBe(base + 1000n);
  });
});

describe('address codec', () => {
  test('formatAddr agrees with ip.ts formatIP', () => {
    const v6 = fc
      .array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8, 0xfd00), { minLength: 8, maxLength: 8 })
      .map((ws) => ws.reduce((v, w) => (v << 16n) | BigInt(w), 0n));
    fc.assert(
      fc.property(v6, (value) => {
        expect(formatAddr({ family: 6, value })).toBe(formatIP({ family: 6, value }));
      }),
      seeded(500),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        expect(formatAddr({ family: 4, value: BigInt(n) })).toBe(formatIP({ family: 4, value: BigInt(n) }));
      }),
      seeded(500),
    );
  });
  test('parseAddr accepts what parseIP accepts, with the same value', () => {
    const texts = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        '1.2.3.04',
        '1::2::3',
        '::',
        'fe80::1%eth0',
        '::ffff:1.2.3.4',
        '1:2:3:4:5:6:7:8:9',
        '1::2:3:4:5:6:7:8',
        '::1:2:3:4:5:6:7',
        '1:2:3:4:5:6:7::',
        'FD00:0:0:0:0:0:0:1',
      ),
    );
    fc.assert(
      fc.property(texts, (t) => {
        const slow = parseIP(t);
        const fast = parseAddr(t);
        expect(fast).toEqual(slow.ok ? slow.value : undefined);
        // parseAddrText is parseAddr plus the canonical text.
        expect(parseAddrText(t)).toEqual(slow.ok ? { ...slow.value, text: formatIP(slow.value) } : undefined);
      }),
      seeded(1000),
    );
    for (const t of ['10.0.0.1', '0.0.0.0', '255.255.255.255', 'fd00::1'])
      expect(parseAddrText(t)?.text).toBe(t);
    for (const [t, want] of [
      ['010.0.0.1', undefined],
      ['1.2.3.256', undefined],
      ['1.2.3', undefined],
      ['1..2.3', undefined],
      [' 10.0.0.1', '10.0.0.1'],
      ['FD00:0::1', 'fd00::1'],
    ] as const)
      expect(parseAddrText(t)?.text).toBe(want);
  });
});

describe('Service order', () => {
  const lexical = (a: [string, string], b: [string, string]) =>
    a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  const entry = ([creationOrder, key]: [string, string]) => ({
    ord: creationKey(creationOrder),
    view: { creationOrder, key },
  });
  test('numeric keys order exactly like the strings, mixed with strings that get none', () => {
    const digit = fc.constantFrom(...'0123456789');
    const d = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((x) => x.join(''));
    const stamp = fc
      .tuple(d(4), d(2), d(2), d(2), d(2), d(2), fc.option(d(3), { nil: undefined }))
      .map(
        ([y, mo, dd, h, mi, s, ms]) => `${y}-${mo}-${dd}T${h}:${mi}:${s}${ms === undefined ? '' : `.${ms}`}Z`,
      );
    const near = fc.constantFrom(
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.999Z',
      '2026-01-01T00:00:01Z',
      '2026-01-01T00:00:00.5Z',
      '2026-01-01T00:00:00',
      '2026-1-01T00:00:00Z',
      '',
    );
    const order = fc.oneof(stamp, near, fc.string({ maxLength: 24 }));
    const item = fc.tuple(order, fc.constantFrom('a/x', 'a/y', 'b/x'));
    expect(creationKey('2026-01-01T00:00:00Z')).not.toBeNaN();
    expect(creationKey('2026-01-01T00:00:00.000Z')).not.toBeNaN();
    fc.assert(
      fc.property(item, item, (a, b) => {
        expect(Math.sign(compareOrdered(entry(a), entry(b)))).toBe(lexical(a, b));
      }),
      seeded(3000),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 60 }), (xs) => {
        const got = xs.map(entry).sort(compareOrdered);
        const want = [...xs].sort(lexical);
        expect(got.map((e) => [e.view.creationOrder, e.view.key])).toEqual(want);
      }),
      seeded(300),
    );
  });
});

test('agent/ipam stays pure', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = new URL('../../agent/ipam/', import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const src = readFileSync(dir + f, 'utf8');
    expect({
      f,
      bad: /from '(bun|node:[^']+|@kubernetes\/client-node|hono)'|Date\.now|setTimeout|Math\.random/.test(
        src,
      ),
    }).toEqual({ f, bad: false });
  }
});
