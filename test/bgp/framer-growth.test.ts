/** wire/framer.ts: a held partial message followed by chunks larger than the buffer (twice over). */
import { expect, test } from 'bun:test';
import { Framer } from '../../agent/bgp/wire/framer.ts';
import { newMessage } from '../../agent/bgp/wire/header.ts';

/** A well-framed message of `length` bytes with a recognisable body. */
function big(length: number): Uint8Array {
  const m = newMessage(2, length);
  for (let i = 19; i < length; i++) m[i] = i % 251;
  return m;
}

for (const [length, head] of [
  [5010, 10],
  [10_010, 10],
  [30_000, 4000],
] as const)
  test(`${length} bytes: ${head} held, then the rest in one chunk`, () => {
    const m = big(length);
    const f = new Framer(65535);
    expect(f.push(m.subarray(0, head))).toEqual([]);
    expect(f.pending).toBe(head);
    const out = f.push(m.subarray(head));
    expect(out.length).toBe(1);
    expect(out[0]).toEqual(m);
    expect(f.pending).toBe(0);
  });

test('held bytes survive a growth and a second growth', () => {
  const m = big(20_000);
  const f = new Framer(65535);
  expect(f.push(m.subarray(0, 100))).toEqual([]);
  expect(f.push(m.subarray(100, 9000))).toEqual([]);
  expect(f.pending).toBe(9000);
  const out = f.push(m.subarray(9000));
  expect(out[0]).toEqual(m);
});
