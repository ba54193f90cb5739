/**
 * Next hops for both families by default (issue 16): the host's own address of a family when
 * none is pinned or given by the session, bgp.nodeAddressCIDRs (with the old nodeAddressCIDR
 * alias), and an allocated IP that cannot be announced for want of one is a /status problem,
 * a /readyz reason naming the IP, and a degraded `edgelb status`.
 */
import { describe, expect, test } from 'bun:test';
import { AdjRibOut, type RibOutContext, ribContext } from '../../agent/bgp/adj-rib-out.ts';
import { parsePrefix } from '../../agent/bgp/wire/index.ts';
import { formatStatus } from '../../agent/cli/status-format.ts';
import { nodeAddressCIDRFor, validateConfig } from '../../agent/config/schema.ts';
import { isHealthy } from '../../agent/http/status-doc.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';
import { hostNextHop } from '../../agent/reconcile/plan/node-address.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { buildStatus, notReadyReasons, type SpeakerView } from '../../agent/reconcile/status.ts';
import { FakeSource } from '../support/fake-source.ts';

const IFACES = [
  { name: 'eth0', addresses: ['192.168.2.10', 'fe80::10', '2001:db8:2::10'] },
  { name: 'eth1', addresses: ['10.1.0.10', 'fd00:1::10'] },
  { name: 'eth2', addresses: ['169.254.3.3', 'fe80::3'] },
];

describe('hostNextHop', () => {
  test('files mode: the interface of the session first, then any; never link-local', () => {
    const any = { anywhere: true };
    expect(hostNextHop(IFACES, 6, { ...any, anchors: ['192.168.2.10'] })).toBe('2001:db8:2::10');
    expect(hostNextHop(IFACES, 6, { ...any, anchors: ['10.1.0.10'] })).toBe('fd00:1::10');
    expect(hostNextHop(IFACES, 6, { ...any, anchors: ['::ffff:10.1.0.10'] })).toBe('fd00:1::10');
    expect(hostNextHop(IFACES, 6, { ...any, anchors: [] })).toBe('2001:db8:2::10');
    expect(hostNextHop([IFACES[2]!], 6, { ...any, anchors: [] })).toBeUndefined();
    expect(hostNextHop([IFACES[2]!], 4, { ...any, anchors: [] })).toBeUndefined();
  });

  test('kubernetes mode: only the interface holding the Node address; inside the pinned CIDR', () => {
    const k = { anywhere: false };
    expect(hostNextHop(IFACES, 6, { ...k, anchors: ['10.1.0.10'] })).toBe('fd00:1::10');
    expect(hostNextHop(IFACES, 6, { ...k, anchors: ['172.16.0.1'] })).toBeUndefined();
    expect(hostNextHop(IFACES, 6, { ...k, anchors: ['10.1.0.10'], cidr: '2001:db8::/32' })).toBeUndefined();
    expect(hostNextHop(IFACES, 6, { anywhere: true, anchors: [], cidr: 'fd00::/8' })).toBe('fd00:1::10');
  });
});

describe('ribContext fallback', () => {
  const config = { localASN: 65001, communities: [], largeCommunities: [] } as never;
  const c = (localAddress: string, configured = {}) =>
    ribContext({ config, negotiated: undefined, remoteASN: 65000, localAddress }, configured);
  const fallbackNextHop = (f: 4 | 6) => (f === 6 ? '2001:db8:2::10' : '192.168.2.10');

  test('an IPv4 session gets the host IPv6 address; the session address still wins its family', () => {
    const v4 = c('192.0.2.7', { fallbackNextHop });
    expect(v4.nextHopV4).toBe('192.0.2.7');
    expect(v4.nextHopV6).toEqual(parsePrefix('2001:db8:2::10')!.bytes);
    expect(c('2001:db8::7', { fallbackNextHop }).nextHopV4).toBe('192.168.2.10');
    expect(c('192.0.2.7', { fallbackNextHop, nextHopV6: '2001:db8::99' }).nextHopV6).toEqual(
      parsePrefix('2001:db8::99')!.bytes,
    );
  });
});

describe('AdjRibOut.unannounceable', () => {
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
  test('desired prefixes of a negotiated family without a next hop; gone once one exists', () => {
    const rib = new AdjRibOut(() => {});
    rib.setDesired(PrefixList.fromTexts(['10.0.0.1/32', 'fd00:50::/128']));
    rib.sync(ctx, true);
    expect(rib.unannounceable).toEqual(['fd00:50::/128']);
    rib.sync({ ...ctx, nextHopV6: parsePrefix('2001:db8::1')!.bytes }, false);
    expect(rib.unannounceable).toEqual([]);
    expect([...rib.sent.keys()].sort()).toEqual(['10.0.0.1/32', 'fd00:50::/128']);
    rib.sync({ ...ctx, families: ['ipv4'] }, true);
    expect(rib.unannounceable).toEqual([]);
  });
});

describe('bgp.nodeAddressCIDRs', () => {
  const load = (bgp: object) => validateConfig({ bgp });
  test('one CIDR per family; the old single key is an alias', () => {
    const ok = load({ nodeAddressCIDRs: ['192.168.2.0/24', '2001:db8::/64'] });
    expect(ok.ok && nodeAddressCIDRFor(ok.config, 6)).toBe('2001:db8::/64');
    const alias = load({ nodeAddressCIDR: '192.168.2.0/24' });
    expect(alias.ok && alias.config.bgp.nodeAddressCIDRs).toEqual(['192.168.2.0/24']);
    const both = load({ nodeAddressCIDR: '192.168.2.0/24', nodeAddressCIDRs: ['2001:db8::/64'] });
    expect(both.ok && both.config.bgp.nodeAddressCIDRs).toEqual(['2001:db8::/64', '192.168.2.0/24']);
  });
  test('two of a family, a non-CIDR, a clash with the alias: problems', () => {
    const two = load({ nodeAddressCIDRs: ['192.168.2.0/24', '10.0.0.0/8'] });
    expect(!two.ok && two.problems.map((p) => p.path)).toEqual(['bgp.nodeAddressCIDRs[1]']);
    expect(!two.ok && two.problems[0]!.message).toContain('at most one CIDR per address family');
    const bad = load({ nodeAddressCIDRs: ['x'] });
    expect(!bad.ok && bad.problems[0]!.path).toBe('bgp.nodeAddressCIDRs[0]');
    const clash = load({ nodeAddressCIDR: '10.0.0.0/8', nodeAddressCIDRs: ['192.168.2.0/24'] });
    expect(!clash.ok && clash.problems[0]!.path).toBe('bgp.nodeAddressCIDR');
  });
});

describe('an IP without a next hop in /status, /readyz and edgelb status', () => {
  test('named in the problems and the readiness reasons; degraded', () => {
    const source = new FakeSource();
    const reconciler = new Reconciler({
      source,
      speaker: () => undefined,
      nodeName: 'worker',
      defaultSecretNamespace: 'kube-system',
      clock: new FakeClock(),
      log: memoryLogger('error'),
      metrics: new Registry(),
    });
    const peer = {
      id: '192.168.2.1',
      address: '192.168.2.1',
      port: 179,
      localASN: 65001,
      peerASN: 65000,
      state: 'Established',
      uptimeSeconds: 5,
      advertised: 1,
    };
    let unannounceable: string[] = ['fd00:50::/128'];
    const speaker: SpeakerView = {
      status: () => [{ ...peer, ...(unannounceable.length ? { unannounceable } : {}) }],
      advertised: () => ['10.50.0.10/32'],
    };
    const inputs = {
      node: 'edge',
      version: 'test',
      routerId: () => '192.168.2.10',
      source,
      reconciler,
      speaker: () => speaker,
    };
    const reasons = notReadyReasons(inputs);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain(
      'IP fd00:50:: cannot be announced to BGP peer 192.168.2.1: no IPv6 next hop',
    );
    const doc = buildStatus(inputs);
    expect(doc.ready).toBe(false);
    expect(doc.problems).toEqual(reasons);
    expect(isHealthy(doc)).toBe(false);
    expect(formatStatus(doc)).toContain('fd00:50::');
    unannounceable = [];
    expect(notReadyReasons(inputs)).toEqual([]);
    expect(isHealthy(buildStatus(inputs))).toBe(true);
  });
});
