import { afterEach, describe, expect, test } from 'bun:test';
import { Collector, type RouteEvent } from '../../agent/bgp/collector.ts';
import { type PeerConfig, Speaker } from '../../agent/bgp/speaker.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { peer as base } from '../support/speaker-main.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await Bun.sleep(10);
  }
}

async function collector(asn = 65000, address = '127.0.0.1') {
  const events: RouteEvent[] = [];
  const c = new Collector({
    asn,
    routerId: '10.255.0.1',
    listen: { address, port: 0 },
    clock: systemClock,
    random: Math.random,
    log: memoryLogger('error'),
    onEvent: (e) => events.push(e),
  });
  const addr = await c.listen();
  cleanups.push(() => c.close());
  return { c, events, port: addr.port };
}

function peer(port: number, over: Partial<PeerConfig> = {}): PeerConfig {
  return base({
    id: 'r1',
    peerAddress: '127.0.0.1',
    peerPort: port,
    localASN: 65001,
    peerASN: 65000,
    localAddress: '127.0.0.2',
    connectRetryTimeSeconds: 5,
    communities: ['65001:100'],
    largeCommunities: ['65001:1:2'],
    idleHoldBaseMs: 50,
    ...over,
  });
}

function speaker(extra: Partial<ConstructorParameters<typeof Speaker>[0]> = {}) {
  const metrics = new Registry();
  const s = new Speaker({
    routerId: '10.255.0.2',
    hostname: 'node-a',
    nextHopV4: '192.0.2.10',
    nextHopV6: '2001:db8::10',
    clock: systemClock,
    random: Math.random,
    log: memoryLogger('error'),
    metrics,
    ...extra,
  });
  return { s, metrics };
}

describe('speaker -> collector on loopback', () => {
  test('establishes, announces v4 and v6 with attributes, withdraws, stops with Cease', async () => {
    const { events, port } = await collector();
    const { s, metrics } = speaker();
    cleanups.push(() => s.stop('keep'));
    s.setAdvertisements(new Map([['r1', ['198.51.100.1/32', '2001:db8:1::1/128']]]));
    s.setPeers([peer(port)]);
    await until(() => events.filter((e) => e.event === 'announce').length === 2);
    expect(s.status()[0]!.state).toBe('Established');
    const v4 = events.find((e) => e.prefix === '198.51.100.1/32')!;
    expect(v4).toMatchObject({
      event: 'announce',
      nextHop: '192.0.2.10',
      asPath: [65001],
      communities: ['65001:100'],
      largeCommunities: ['65001:1:2'],
    });
    expect(v4.localPref).toBeUndefined();
    expect(events.find((e) => e.prefix === '2001:db8:1::1/128')).toMatchObject({
      nextHop: '2001:db8::10',
      asPath: [65001],
    });
    expect(s.advertised()).toEqual(['198.51.100.1/32', '2001:db8:1::1/128']);
    expect(metrics.render()).toContain('edgelb_bgp_session_up{peer="r1"} 1');
    expect(metrics.render()).toContain('edgelb_bgp_advertised_prefixes{peer="r1"} 2');

    s.setAdvertisements(new Map([['r1', ['2001:db8:1::1/128']]]));
    await until(() => events.some((e) => e.event === 'withdraw' && e.prefix === '198.51.100.1/32'));
    expect(s.advertised()).toEqual(['2001:db8:1::1/128']);

    await s.stop('withdraw');
    await until(() => events.some((e) => e.event === 'down'));
    expect(events.find((e) => e.event === 'down')!.reason).toBe('NOTIFICATION received');
    expect(s.status()[0]!.lastNotificationSent).toBe('Cease/Administrative Shutdown');
    expect(metrics.render()).toContain(
      'edgelb_bgp_notifications_total{peer="r1",direction="sent",code="cease"} 1',
    );
  });

  test('stop keep closes without NOTIFICATION', async () => {
    const { events, port } = await collector();
    const { s } = speaker();
    s.setAdvertisements(new Map([['r1', ['198.51.100.2/32']]]));
    s.setPeers([peer(port)]);
    await until(() => events.some((e) => e.event === 'announce'));
    await s.stop('keep');
    await until(() => events.some((e) => e.event === 'down'));
    expect(events.find((e) => e.event === 'down')!.reason).toBe('connection failed');
    expect(s.status()[0]!.lastNotificationSent).toBeUndefined();
  });

  test('iBGP sends LOCAL_PREF and an empty AS path; 4-byte ASN', async () => {
    const { events, port } = await collector(4200000001);
    const { s } = speaker();
    cleanups.push(() => s.stop('keep'));
    s.setAdvertisements(new Map([['r1', ['198.51.100.3/32']]]));
    s.setPeers([peer(port, { localASN: 4200000001, peerASN: 4200000001, localPreference: 200 })]);
    await until(() => events.some((e) => e.event === 'announce'));
    expect(events.find((e) => e.event === 'announce')).toMatchObject({ asPath: [], localPref: 200 });
  });
});

describe('IPv6 session and scale', () => {
  test('over ::1 the session address is the IPv6 next hop; IPv4 routes need a configured next hop', async () => {
    const { events, port } = await collector(65000, '::1');
    const { s } = speaker({ nextHopV4: undefined, nextHopV6: undefined });
    cleanups.push(() => s.stop('keep'));
    s.setAdvertisements(new Map([['r1', ['198.51.100.1/32', '2001:db8:1::1/128']]]));
    s.setPeers([peer(port, { peerAddress: '::1', localAddress: undefined })]);
    await until(() => events.some((e) => e.event === 'announce'));
    await Bun.sleep(30);
    const ann = events.filter((e) => e.event === 'announce');
    expect(ann).toHaveLength(1);
    expect(ann[0]).toMatchObject({ prefix: '2001:db8:1::1/128', nextHop: '::1' });
  });

  test('50,000 /32 arrive complete through backpressure, packed in few UPDATEs', async () => {
    const { events, port } = await collector();
    const { s, metrics } = speaker();
    cleanups.push(() => s.stop('keep'));
    const prefixes = Array.from(
      { length: 50_000 },
      (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`,
    );
    s.setAdvertisements(new Map([['r1', prefixes]]));
    s.setPeers([peer(port)]);
    await until(() => events.filter((e) => e.event === 'announce').length === 50_000, 20_000);
    expect(new Set(events.filter((e) => e.event === 'announce').map((e) => e.prefix)).size).toBe(50_000);
    // Extended messages negotiated: 65535-byte UPDATEs hold ~13,000 /32 each.
    const sent = Number(/edgelb_bgp_updates_sent_total\{peer="r1"\} (\d+)/.exec(metrics.render())![1]);
    expect(sent).toBeLessThanOrEqual(5);
    expect(s.status()[0]!.advertised).toBe(50_000);
  }, 30_000);
});
