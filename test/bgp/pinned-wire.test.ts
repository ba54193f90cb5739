/**
 * Behaviours pinned by issue 19: each test fails when its one-line bug is put back
 * (4-octet AS negotiated by one side only; a shutdown length byte one past the data;
 * the withdrawn-length check forgetting the attribute-length field).
 */
import { describe, expect, test } from 'bun:test';
import {
  type Capability,
  decodeUpdate,
  ErrorCode,
  negotiate,
  shutdownMessage,
  UpdateSubcode,
  WireError,
} from '../../agent/bgp/wire/index.ts';
import { msg } from './hex.ts';

const WITH_AS4: Capability[] = [
  { code: 1, afi: 1, safi: 1 },
  { code: 65, asn: 4_200_000_001 },
];
const WITHOUT_AS4: Capability[] = [{ code: 1, afi: 1, safi: 1 }];

describe('negotiate: 4-octet AS needs both sides (RFC 6793 §4)', () => {
  test('a peer without the 4-octet AS capability gets 2-octet AS_PATHs', () => {
    expect(negotiate(WITH_AS4, WITHOUT_AS4).as4).toBe(false);
    expect(negotiate(WITHOUT_AS4, WITH_AS4).as4).toBe(false);
    expect(negotiate(WITH_AS4, WITHOUT_AS4).names).not.toContain('4-octet-as');
    expect(negotiate(WITH_AS4, WITH_AS4).as4).toBe(true);
  });
});

describe('shutdown communication (RFC 9003 §2)', () => {
  const text = new TextEncoder().encode('bye');
  const data = (n: number, body: Uint8Array) => new Uint8Array([n, ...body]);

  test('a length byte one past the data is rejected, not decoded as truncated text', () => {
    expect(shutdownMessage({ code: ErrorCode.Cease, subcode: 2, data: data(4, text) })).toBeUndefined();
    expect(shutdownMessage({ code: ErrorCode.Cease, subcode: 2, data: data(3, text) })).toBe('bye');
  });
});

function codes(bytes: Uint8Array): [number, number] | 'no error' {
  try {
    decodeUpdate(bytes, { as4: true });
  } catch (e) {
    if (e instanceof WireError) return [e.code, e.subcode];
    throw e;
  }
  return 'no error';
}

describe('UPDATE withdrawn routes length', () => {
  test('00 02 21 0a: the withdrawn routes leave no room for the attribute length: 3/1, not 3/10', () => {
    expect(codes(msg(2, '0002210a'))).toEqual([
      ErrorCode.UpdateMessage,
      UpdateSubcode.MalformedAttributeList,
    ]);
  });

  test('the same withdrawn bytes followed by an attribute length decode as a prefix error, 3/10', () => {
    expect(codes(msg(2, '0002210a0000'))).toEqual([
      ErrorCode.UpdateMessage,
      UpdateSubcode.InvalidNetworkField,
    ]);
  });
});
