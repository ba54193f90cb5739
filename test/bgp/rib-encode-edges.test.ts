/**
 * rib/encode-groups.ts, rib/outbound.ts and rib/nlri-run.ts at their edges: no NEXT_HOP in an
 * IPv6 UPDATE, the 2-octet ASN boundary without 4-octet AS support, and the NLRI buffer that
 * always leaves room for the largest prefix.
 */
import { expect, test } from 'bun:test';
import { announceNlri, type EncodeContext, withdrawNlri } from '../../agent/bgp/rib/encode-groups.ts';
import { NlriRun } from '../../agent/bgp/rib/nlri-run.ts';
import { outboundAttributes } from '../../agent/bgp/rib/outbound.ts';
import { parseIPv6 } from '../../agent/bgp/wire/address.ts';
import {
  AS_TRANS,
  decodeMessage,
  encodePrefixes,
  toWirePrefixes,
  type UpdateMessage,
} from '../../agent/bgp/wire/index.ts';

const CTX: EncodeContext = {
  nextHopV4: '192.0.2.10',
  nextHopV6: parseIPv6('2001:db8::10')!,
  as4: true,
  extendedMessage: false,
  localASN: 65001,
  peerASN: 65000,
  communities: [],
  largeCommunities: [],
};
const nlri = (ps: string[], afi: 1 | 2) => encodePrefixes(toWirePrefixes(ps, afi));
const decode = (m: Uint8Array) => decodeMessage(m, { as4: true, maxLength: 4096 }) as UpdateMessage;

test('IPv4 announcements carry NEXT_HOP; IPv6 ones only MP_REACH_NLRI, even with an IPv4 next hop configured', () => {
  const v4 = nlri(['10.0.0.1/32'], 1);
  const [m4] = announceNlri(CTX, 'ipv4', v4, v4.length);
  expect(decode(m4!).attributes.nextHop).toBe('192.0.2.10');
  expect(decode(m4!).nlri).toEqual(['10.0.0.1/32']);
  const v6 = nlri(['2001:db8::1/128'], 2);
  const [m6] = announceNlri(CTX, 'ipv6', v6, v6.length);
  const u6 = decode(m6!);
  expect(u6.attributes.nextHop).toBeUndefined();
  expect(u6.attributes.mpReach?.nlri).toEqual(['2001:db8::1/128']);
  expect(u6.nlri).toEqual([]);
});

test('withdrawals: IPv4 in Withdrawn Routes, IPv6 in MP_UNREACH_NLRI', () => {
  const v4 = nlri(['10.0.0.1/32'], 1);
  const w4 = decode(withdrawNlri(CTX, 'ipv4', v4, v4.length)[0]!);
  expect(w4.withdrawn).toEqual(['10.0.0.1/32']);
  const v6 = nlri(['2001:db8::1/128'], 2);
  const w6 = decode(withdrawNlri(CTX, 'ipv6', v6, v6.length)[0]!);
  expect(w6.withdrawn).toEqual([]);
  expect(w6.attributes.mpUnreach?.withdrawn).toEqual(['2001:db8::1/128']);
});

test('without 4-octet AS support: 65535 is still a 2-octet ASN, 65536 goes as AS_TRANS plus AS4_PATH', () => {
  const p = { peerASN: 65000, as4: false, communities: [], largeCommunities: [] };
  const at65535 = outboundAttributes({ ...p, localASN: 65535 });
  expect(at65535.asPath).toEqual([{ type: 2, asns: [65535] }]);
  expect(at65535.as4Path).toBeUndefined();
  const at65536 = outboundAttributes({ ...p, localASN: 65536 });
  expect(at65536.asPath).toEqual([{ type: 2, asns: [AS_TRANS] }]);
  expect(at65536.as4Path).toEqual([{ type: 2, asns: [65536] }]);
});

test('NlriRun: one 4096-byte buffer while 17 bytes (the largest prefix) are free, then twice the size, content kept', () => {
  const run = new NlriRun();
  expect(run.buf.length).toBe(4096);
  run.buf.fill(9);
  run.used = 4096 - 17;
  const same = run.room();
  expect(same.length).toBe(4096);
  expect(same).toBe(run.buf);
  run.used = 4096 - 16;
  const grown = run.room();
  expect(grown.length).toBe(8192);
  expect(grown).toBe(run.buf);
  expect(grown[0]).toBe(9);
  expect(grown[4096 - 17]).toBe(9);
  expect(grown[4096 - 16]).toBe(0);
});
