/** agent/net/prefix-list.ts: typed prefixes by column agree with the byte parser. */
import { expect, test } from 'bun:test';
import { parsePrefixBytes } from '../../agent/net/bytes.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';

test('canonical, sorted, deduplicated keys; each prefix as parsePrefixBytes gives it; invalid texts reported', () => {
  const bad: string[] = [];
  const l = PrefixList.fromTexts(
    ['10.0.0.2/32', '2001:DB8::1/128', '10.0.0.2', '10.1.2.3/8', 'nope', '10.0.0.0/33'],
    (t) => bad.push(t),
  );
  expect([...l.keys()]).toEqual(['10.0.0.0/8', '10.0.0.2/32', '2001:db8::1/128']);
  expect(bad).toEqual(['nope', '10.0.0.0/33']);
  for (const k of l.keys()) expect(l.prefix(k)).toEqual(parsePrefixBytes(k)!);
  expect(l.family('2001:db8::1/128')).toBe(6);
  expect(l.family('10.0.0.0/8')).toBe(4);
  expect(l.prefix('192.0.2.1/32')).toBeUndefined();
  expect(l.has('10.0.0.2/32')).toBe(true);
  expect(l.size).toBe(3);
  expect(PrefixList.EMPTY.size).toBe(0);
});
