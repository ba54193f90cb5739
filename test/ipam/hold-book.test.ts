/** Edges of the hold book (agent/ipam/holds.ts): which hold is oldest, and a key's other holds. */
import { expect, test } from 'bun:test';
import { HoldBook } from '../../agent/ipam/holds.ts';
import { Ipam } from '../../agent/ipam/ipam.ts';
import type { HoldRecord } from '../../agent/ipam/types.ts';
import { pool, summary, svc } from './builders.ts';

const T0 = Date.UTC(2026, 5, 1);

test('holds list oldest deletion first, then earliest expiry, then lowest address, whatever order they came in', () => {
  const ipam = new Ipam({ now: () => T0 });
  const rec = (name: string, ip: string, since: string, expires: string): HoldRecord => ({
    namespace: 'default',
    name,
    ip,
    pool: 'p',
    since,
    expires,
  });
  ipam.restore(
    [pool('p', ['10.0.0.0/28'], { releaseDelaySeconds: 600 })],
    [],
    [
      rec('e', '10.0.0.1', '2026-06-01T00:00:09Z', '2026-06-01T00:05:00Z'),
      rec('d', '10.0.0.3', '2026-06-01T00:00:05Z', '2026-06-01T00:09:00Z'),
      rec('c', '10.0.0.2', '2026-06-01T00:00:05Z', '2026-06-01T00:09:00Z'),
      rec('b', '10.0.0.4', '2026-06-01T00:00:05Z', '2026-06-01T00:07:00Z'),
      rec('a', '10.0.0.5', '2026-06-01T00:00:01Z', '2026-06-01T00:10:00Z'),
    ],
  );
  expect(ipam.holds().map((h) => h.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
  // A full pool takes them in that order.
  const full = new Ipam({ now: () => T0 });
  full.restore(
    [pool('p', ['10.0.0.1-10.0.0.2'], { releaseDelaySeconds: 600 })],
    [],
    [
      rec('late', '10.0.0.1', '2026-06-01T00:00:09Z', '2026-06-01T00:01:00Z'),
      rec('early', '10.0.0.2', '2026-06-01T00:00:01Z', '2026-06-01T00:09:00Z'),
    ],
  );
  expect(full.upsertService(svc('x')).map(summary)).toEqual([['10.0.0.2']]);
});

test("taking one of a deleted Service's two held addresses leaves the other one its to take back", () => {
  const ipam = new Ipam({ now: () => T0 });
  ipam.upsertPool(pool('p', ['10.0.0.1-10.0.0.1', 'fd00::1-fd00::3'], { releaseDelaySeconds: 600 }));
  const s = svc('s', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' });
  ipam.upsertService(s);
  expect(summary(ipam.result(s.key))).toEqual(['10.0.0.1', 'fd00::1']);
  ipam.deleteService(s.key);
  expect(ipam.holds().map((h) => h.ip)).toEqual(['10.0.0.1', 'fd00::1']);
  ipam.upsertService(svc('x')); // the IPv4 block is full: x takes that hold
  expect(summary(ipam.result('default/x'))).toEqual(['10.0.0.1']);
  ipam.upsertService(s);
  expect(summary(ipam.result(s.key))).toEqual(['fd00::1']);
  expect(ipam.holds()).toEqual([]);
});

test('HoldBook: removing one hold of a key keeps the others listed for it', () => {
  const book = new HoldBook();
  const h = (v: number) => ({
    family: 4 as const,
    value: BigInt(v),
    text: `10.0.0.${v}`,
    pool: 'p',
    slot: 0,
    holders: [],
  });
  const hold = { key: 'd/s', namespace: 'd', name: 's', since: 1, expires: 2 };
  const [a, b, c] = [h(1), h(2), h(3)];
  for (const x of [a, b, c]) book.add(x, hold);
  book.remove(a);
  expect(book.forKey('d/s')?.map((x) => x.text)).toEqual(['10.0.0.2', '10.0.0.3']);
  book.remove(c);
  expect(book.forKey('d/s')?.map((x) => x.text)).toEqual(['10.0.0.2']);
  book.remove(b);
  expect(book.forKey('d/s')).toBeUndefined();
  expect(book.size).toBe(0);
});

test("holds(pool) lists only that pool's holds", () => {
  const ipam = new Ipam({ now: () => T0 });
  ipam.upsertPool(pool('p', ['10.0.0.0/30'], { releaseDelaySeconds: 600 }));
  ipam.upsertPool(pool('q', ['10.0.1.0/30'], { releaseDelaySeconds: 600 }));
  ipam.upsertService(svc('a', { annotations: { 'edgelb.io/pool': 'p' } }));
  ipam.upsertService(svc('b', { annotations: { 'edgelb.io/pool': 'q' } }));
  ipam.deleteService('default/a');
  ipam.deleteService('default/b');
  expect([ipam.holds('p').map((h) => h.ip), ipam.holds('q').map((h) => h.ip), ipam.holds().length]).toEqual([
    ['10.0.0.1'],
    ['10.0.1.1'],
    2,
  ]);
});
