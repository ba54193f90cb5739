/** The push framer: 1-3 messages split at every byte offset (and at every pair of offsets for 2). */
import { describe, expect, test } from 'bun:test';
import {
  encodeEndOfRib,
  encodeKeepalive,
  encodeNotification,
  Framer,
  WireError,
} from '../../agent/bgp/wire/index.ts';
import { hex, MARKER, toHex, update } from './hex.ts';

const open = hex(`${MARKER}0025 01 04 5ba0 00b4 c0000201 08 0206 4104 fa56ea01`.replace(/\s+/g, ''));
const upd = update('', '40010100400206020100' + '00fde9400304c0000202', '20c6336401');
const SETS: Uint8Array[][] = [
  [open],
  [open, encodeKeepalive()],
  [open, upd, encodeNotification({ code: 6, subcode: 2, data: hex('03627965') })],
  [encodeEndOfRib('ipv6'), encodeKeepalive(), upd],
];

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('Framer', () => {
  for (const set of SETS) {
    const all = concat(set);
    const want = set.map(toHex);
    test(`${set.length} message(s), ${all.length} bytes, split at every offset`, () => {
      for (let i = 0; i <= all.length; i++) {
        const f = new Framer();
        const got = [...f.push(all.subarray(0, i)), ...f.push(all.subarray(i))].map(toHex);
        expect(got).toEqual(want);
        expect(f.pending).toBe(0);
      }
    });
    test(`${set.length} message(s) split at every pair of offsets`, () => {
      for (let i = 0; i <= all.length; i += 3) {
        for (let j = i; j <= all.length; j++) {
          const f = new Framer();
          const got = [
            ...f.push(all.subarray(0, i)),
            ...f.push(all.subarray(i, j)),
            ...f.push(all.subarray(j)),
          ].map(toHex);
          expect(got).toEqual(want);
        }
      }
    });
  }

  test('byte by byte', () => {
    const all = concat(SETS[2]!);
    const f = new Framer();
    const got: string[] = [];
    for (let i = 0; i < all.length; i++) got.push(...f.push(all.subarray(i, i + 1)).map(toHex));
    expect(got).toEqual(SETS[2]!.map(toHex));
  });

  test('returned messages do not alias the framer buffer', () => {
    const f = new Framer();
    const a = f.push(open.subarray(0, 10));
    expect(a).toEqual([]);
    const [m] = f.push(open.subarray(10));
    f.push(encodeKeepalive().subarray(0, 5));
    expect(toHex(m!)).toBe(toHex(open));
  });

  test('a bad marker is reported as soon as the header is complete', () => {
    const bad = encodeKeepalive();
    bad[3] = 0;
    const f = new Framer();
    expect(f.push(bad.subarray(0, 18))).toEqual([]);
    expect(() => f.push(bad.subarray(18))).toThrow(WireError);
  });

  test('a length above the maximum is refused before the body arrives', () => {
    const f = new Framer(4096);
    const head = hex(`${MARKER}100102`);
    try {
      f.push(head);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(WireError);
      expect([(e as WireError).code, (e as WireError).subcode, toHex((e as WireError).data)]).toEqual([
        1,
        2,
        '1001',
      ]);
    }
    expect(new Framer(65535).push(head)).toEqual([]);
  });

  test('whole messages before a bad header are returned first; the error follows', () => {
    const bad = encodeKeepalive();
    bad[3] = 0;
    const note = encodeNotification({ code: 6, subcode: 2, data: new Uint8Array(0) });
    const f = new Framer();
    expect(f.push(concat([note, bad])).map(toHex)).toEqual([toHex(note)]);
    expect(f.failed?.code).toBe(1);
    expect(f.failed?.subcode).toBe(1);
    expect(() => f.push(encodeKeepalive())).toThrow(WireError);
  });
});
