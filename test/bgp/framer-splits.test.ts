/** The framer returns the same messages however the byte stream is cut (every one and two cut points). */
import { expect, test } from 'bun:test';
import { encodeKeepalive, encodeNotification, Framer } from '../../agent/bgp/wire/index.ts';
import { toHex } from './hex.ts';

const MESSAGES = [
  encodeKeepalive(),
  encodeNotification({ code: 6, subcode: 2, data: new Uint8Array([3, 98, 121, 101]) }),
  encodeKeepalive(),
];
const STREAM = new Uint8Array(MESSAGES.reduce((n, m) => n + m.length, 0));
MESSAGES.reduce((o, m) => {
  STREAM.set(m, o);
  return o + m.length;
}, 0);
const WANT = MESSAGES.map(toHex);

function feed(cuts: number[]): { got: string[]; pendingAfter: number[] } {
  const f = new Framer();
  const got: string[] = [];
  const pendingAfter: number[] = [];
  let from = 0;
  for (const to of [...cuts, STREAM.length]) {
    for (const m of f.push(STREAM.slice(from, to))) got.push(toHex(m));
    pendingAfter.push(f.pending);
    from = to;
  }
  return { got, pendingAfter };
}

test('one cut anywhere', () => {
  for (let a = 0; a <= STREAM.length; a++) {
    const r = feed([a]);
    expect(r.got).toEqual(WANT);
    expect(r.pendingAfter.at(-1)).toBe(0);
  }
});

test('two cuts anywhere', () => {
  for (let a = 0; a <= STREAM.length; a++)
    for (let b = a; b <= STREAM.length; b++) {
      const r = feed([a, b]);
      if (r.got.join() !== WANT.join()) expect([a, b, r.got]).toEqual([a, b, WANT]);
    }
});

test('byte by byte, the pending count grows and empties at each message end', () => {
  const cuts = Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1);
  const r = feed(cuts);
  expect(r.got).toEqual(WANT);
  expect(r.pendingAfter.slice(0, 19)).toEqual([...Array.from({ length: 18 }, (_, i) => i + 1), 0]);
});

test('a bad first byte held alone between pushes is still a bad marker (1/1)', () => {
  const f = new Framer();
  const k = encodeKeepalive();
  expect(f.push(k.slice(0, 10))).toEqual([]);
  // the keepalive's end and one byte of the next "message", which is not a marker
  expect(f.push(new Uint8Array([...k.slice(10), 0x00])).map(toHex)).toEqual([toHex(k)]);
  expect(f.pending).toBe(1);
  expect(() => f.push(k.slice(1))).toThrow();
});
