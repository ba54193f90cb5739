/** adj-rib-out.ts: what a sync sends, per family, next hop and state of the Adj-RIB-Out. */
import { describe, expect, test } from 'bun:test';
import { AdjRibOut, type RibOutContext, ribContext } from '../../agent/bgp/adj-rib-out.ts';
import {
  decodeMessage,
  endOfRibFamily,
  parsePrefix,
  type UpdateMessage,
} from '../../agent/bgp/wire/index.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';

const ctx: RibOutContext = {
  families: ['ipv4', 'ipv6'],
  nextHopV4: '192.0.2.10',
  as4: true,
  extendedMessage: false,
  localASN: 65001,
  peerASN: 65000,
  communities: [],
  largeCommunities: [],
};
const want = (...t: string[]) => PrefixList.fromTexts(t);
const decode = (ms: Uint8Array[]) =>
  ms.map((m) => decodeMessage(m, { as4: true, maxLength: 4096 }) as UpdateMessage);

describe('AdjRibOut', () => {
  test('initial sync: the table, then End-of-RIB per family; updates counts only routes', () => {
    const warned: string[] = [];
    const rib = new AdjRibOut((k) => warned.push(k));
    rib.setDesired(want('10.0.0.1/32', '2001:db8::1/128'));
    const out = rib.sync(ctx, true);
    const us = decode(out.messages);
    expect(out.updates).toBe(1);
    expect(us[0]!.nlri).toEqual(['10.0.0.1/32']);
    expect(us.slice(1).map(endOfRibFamily)).toEqual(['ipv4', 'ipv6']);
    expect(warned).toEqual(['no-v6-nexthop']);
    expect([...rib.sent]).toEqual([['10.0.0.1/32', 'ipv4']]);
  });

  test('later syncs send the difference; a withdrawn prefix is typed from its text', () => {
    const rib = new AdjRibOut(() => {});
    rib.setDesired(want('10.0.0.1/32', '10.0.0.2/32'));
    rib.sync(ctx, true);
    rib.setDesired(want('10.0.0.2/32', '10.0.0.3/32'));
    const us = decode(rib.sync(ctx, false).messages);
    expect(us.map((u) => [u.withdrawn, u.nlri])).toEqual([
      [['10.0.0.1/32'], []],
      [[], ['10.0.0.3/32']],
    ]);
    expect(rib.sync(ctx, false)).toEqual({ messages: [], updates: 0 });
  });

  test('resend: every sent prefix of one family again', () => {
    const rib = new AdjRibOut(() => {});
    rib.setDesired(want('10.0.0.1/32'));
    rib.sync(ctx, true);
    expect(decode(rib.resend(ctx, 'ipv4').messages)[0]!.nlri).toEqual(['10.0.0.1/32']);
    expect(rib.resend(ctx, 'ipv6').messages).toEqual([]);
  });

  test('ribContext: the connection address is the next hop unless one is configured; never link-local', () => {
    const config = { localASN: 65001, communities: [], largeCommunities: [] } as never;
    const c = (localAddress: string, configured = {}) =>
      ribContext({ config, negotiated: undefined, remoteASN: 65000, localAddress }, configured);
    expect(c('::ffff:192.0.2.7').nextHopV4).toBe('192.0.2.7');
    expect(c('192.0.2.7', { nextHopV4: '198.51.100.1' }).nextHopV4).toBe('198.51.100.1');
    expect(c('fe80::1').nextHopV6).toBeUndefined();
    expect(c('2001:db8::7').nextHopV6).toEqual(parsePrefix('2001:db8::7')!.bytes);
  });
});
