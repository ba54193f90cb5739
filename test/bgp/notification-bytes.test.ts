/** wire/notification.ts: NOTIFICATION bytes, the 4096-byte cap, and RFC 9003 shutdown communications. */
import { expect, test } from 'bun:test';
import {
  decodeNotification,
  describeNotification,
  encodeNotification,
  shutdownData,
  shutdownMessage,
} from '../../agent/bgp/wire/notification.ts';
import { MARKER, toHex } from './hex.ts';

test('NOTIFICATION byte for byte, and back', () => {
  const m = encodeNotification({ code: 3, subcode: 11, data: new Uint8Array([0xab]) });
  expect(toHex(m)).toBe(`${MARKER}001603` + '030b' + 'ab');
  expect(decodeNotification(m)).toEqual({
    type: 'notification',
    code: 3,
    subcode: 11,
    data: new Uint8Array([0xab]),
  });
});

test('data is cut so the message stays within 4096 bytes', () => {
  const fits = encodeNotification({ code: 1, subcode: 2, data: new Uint8Array(4075).fill(1) });
  expect([fits.length, fits[16], fits[17], fits[4095]]).toEqual([4096, 16, 0, 1]);
  const cut = encodeNotification({ code: 1, subcode: 2, data: new Uint8Array(5000).fill(2) });
  expect([cut.length, cut[16], cut[17], cut[4095]]).toEqual([4096, 16, 0, 2]);
});

test('shutdown data: a length octet and at most 255 bytes, cut on a UTF-8 boundary', () => {
  expect([...shutdownData('hi')]).toEqual([2, 0x68, 0x69]);
  expect([...shutdownData('')]).toEqual([0]);
  const a255 = shutdownData('a'.repeat(255));
  expect([a255.length, a255[0]]).toEqual([256, 255]);
  const a300 = shutdownData('a'.repeat(300));
  expect([a300.length, a300[0], a300[255]]).toEqual([256, 255, 0x61]);
  // 'é' is c3 a9: 128 of them are 256 bytes; the cut at 255 would split one, so 254 are kept
  const e128 = shutdownData('é'.repeat(128));
  expect([e128.length, e128[0], e128[253], e128[254]]).toEqual([255, 254, 0xc3, 0xa9]);
  // 'a' then 127 'é' is exactly 255 bytes: nothing cut
  expect(shutdownData(`a${'é'.repeat(127)}`)[0]).toBe(255);
  // '€' is 3 bytes (e2 82 ac): 86 of them are 258 bytes; 85 (255 bytes) are kept
  expect(shutdownData('€'.repeat(86))[0]).toBe(255);
  // 'a' + 85 '€' = 256 bytes: the cut at 255 falls inside the last '€', so 253 bytes are kept
  expect(shutdownData(`a${'€'.repeat(85)}`)[0]).toBe(253);
});

test('shutdownMessage: only Cease 6/2 and 6/4 with well-formed UTF-8 that fits', () => {
  const d = (...b: number[]) => new Uint8Array(b);
  const text = d(2, 0x68, 0x69);
  expect(shutdownMessage({ code: 6, subcode: 2, data: text })).toBe('hi');
  expect(shutdownMessage({ code: 6, subcode: 4, data: text })).toBe('hi');
  expect(shutdownMessage({ code: 6, subcode: 3, data: text })).toBeUndefined();
  expect(shutdownMessage({ code: 6, subcode: 1, data: text })).toBeUndefined();
  expect(shutdownMessage({ code: 5, subcode: 2, data: text })).toBeUndefined();
  expect(shutdownMessage({ code: 6, subcode: 2, data: d() })).toBeUndefined();
  expect(shutdownMessage({ code: 6, subcode: 2, data: d(0) })).toBe('');
  expect(shutdownMessage({ code: 6, subcode: 2, data: d(3, 0x68, 0x69) })).toBeUndefined();
  expect(shutdownMessage({ code: 6, subcode: 2, data: d(2, 0x68, 0x69, 0x6a) })).toBe('hi');
  expect(shutdownMessage({ code: 6, subcode: 2, data: d(1, 0xff) })).toBeUndefined();
});

test('describeNotification: the name, plus the shutdown text when there is one', () => {
  const text = new Uint8Array([2, 0x68, 0x69]);
  expect(describeNotification({ code: 6, subcode: 2, data: text })).toBe(
    'Cease/Administrative Shutdown "hi"',
  );
  expect(describeNotification({ code: 6, subcode: 2, data: new Uint8Array([0]) })).toBe(
    'Cease/Administrative Shutdown',
  );
  expect(describeNotification({ code: 4, subcode: 0, data: new Uint8Array() })).toBe('Hold Timer Expired');
});
