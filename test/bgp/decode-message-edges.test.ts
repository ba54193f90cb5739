/** decodeMessage on inputs the framer never hands it, called directly (tools, tests, the fuzzer). */
import { expect, test } from 'bun:test';
import { decodeMessage, WireError } from '../../agent/bgp/wire/index.ts';

function codes(bytes: Uint8Array): [number, number] | 'no error' {
  try {
    decodeMessage(bytes);
  } catch (e) {
    if (e instanceof WireError) return [e.code, e.subcode];
    throw e;
  }
  return 'no error';
}

test('fewer than 19 bytes is a bad length (1/2), whatever the bytes', () => {
  expect(codes(new Uint8Array(18))).toEqual([1, 2]);
  expect(codes(new Uint8Array(0))).toEqual([1, 2]);
  expect(codes(new Uint8Array(18).fill(0xff))).toEqual([1, 2]);
});
