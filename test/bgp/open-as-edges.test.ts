/** validateOpen at the 2-octet/4-octet AS boundary (RFC 6793 §4.2.1). */
import { expect, test } from 'bun:test';
import { AS_TRANS, openFor, validateOpen } from '../../agent/bgp/wire/index.ts';

const expectFor = (peerASN: number) => ({ peerASN, localASN: 65001, localBgpId: '10.0.0.1' });
const open = (myAS: number, capASN?: number) => ({
  ...openFor(65000, 90, '10.0.0.2', capASN === undefined ? [] : [{ code: 65 as const, asn: capASN }]),
  myAS,
});

test.each([
  // [My AS, 4-octet capability ASN, configured peer ASN, valid]
  [65535, 65535, 65535, true],
  [AS_TRANS, 65535, 65535, false],
  [AS_TRANS, 65536, 65536, true],
  [65536 & 0xffff, 65536, 65536, false],
  [65000, undefined, 65000, true],
  [65000, 65000, 65000, true],
  [65000, 65001, 65001, false],
  [65000, 65000, 65001, false],
])('My AS %d, capability %p, peer %d: valid %p', (myAS, cap, peer, ok) => {
  expect(validateOpen(open(myAS, cap), expectFor(peer)) === undefined).toBe(ok);
});
