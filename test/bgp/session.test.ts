/** The speaker against a scripted router on loopback: EoR, route refresh, resets, errors, listener, MD5, GTSM. */
import { afterEach, describe, expect, test } from 'bun:test';
import { type PeerConfig, Speaker } from '../../agent/bgp/speaker.ts';
import { encodeRouteRefresh, endOfRibFamily, type UpdateMessage } from '../../agent/bgp/wire/index.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { freePort } from '../support/cli.ts';
import { peer as base } from '../support/speaker-main.ts';
import { FakeRouter, until } from './fake-router.ts';
import { hex, msg } from './hex.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function router(o: ConstructorParameters<typeof FakeRouter>[0] = { asn: 65000 }) {
  const r = new FakeRouter(o);
  const port = await r.listen();
  cleanups.push(() => r.close());
  return { r, port };
}

function speaker(extra: Partial<ConstructorParameters<typeof Speaker>[0]> = {}) {
  const metrics = new Registry();
  const log = memoryLogger('debug');
  const s = new Speaker({
    routerId: '10.255.0.2',
    hostname: 'node-a',
    nextHopV4: '192.0.2.10',
    nextHopV6: '2001:db8::10',
    clock: systemClock,
    random: Math.random,
    log,
    metrics,
    ...extra,
  });
  cleanups.push(() => s.stop('keep'));
  return { s, metrics, log };
}

function peer(port: number, over: Partial<PeerConfig> = {}): PeerConfig {
  return base({
    id: 'r1',
    peerAddress: '127.0.0.1',
    peerPort: port,
    localASN: 65001,
    peerASN: 65000,
    localAddress: '127.0.0.2',
    connectRetryTimeSeconds: 2,
    communities: ['65001:100'],
    largeCommunities: [],
    idleHoldBaseMs: 20,
    ...over,
  });
}

const announced = (us: UpdateMessage[]) =>
  us.flatMap((u) => [...u.nlri, ...(u.attributes.mpReach?.nlri ?? [])]);
const withdrawn = (us: UpdateMessage[]) =>
  us.flatMap((u) => [...u.withdrawn, ...(u.attributes.mpUnreach?.withdrawn ?? [])]);
const eors = (us: UpdateMessage[]) => us.map(endOfRibFamily).filter(Boolean);

describe('session with a scripted router', () => {
  test('OPEN capabilities; full table, then End-of-RIB per family', async () => {
    const { r, port } = await router();
    const { s } = speaker();
    s.setAdvertisements(new Map([['r1', ['198.51.100.1/32', '198.51.100.2/32', '2001:db8:1::1/128']]]));
    s.setPeers([peer(port)]);
    await until(() => eors(r.of('update')).length === 2);
    const open = r.of('open')[0]!;
    expect(open.myAS).toBe(65001);
    expect(open.holdTime).toBe(9);
    expect(open.bgpId).toBe('10.255.0.2');
    const codes = open.capabilities.map((c) => c.code);
    expect(codes).toEqual([1, 1, 2, 65, 6, 64, 73]);
    expect(open.capabilities.find((c) => c.code === 64)).toEqual({
      code: 64,
      restarting: false,
      notification: false,
      restartTime: 120,
      families: [
        { afi: 1, safi: 1, forwarding: true },
        { afi: 2, safi: 1, forwarding: true },
      ],
    });
    expect(open.capabilities.find((c) => c.code === 73)).toEqual({
      code: 73,
      hostname: 'node-a',
      domain: '',
    });
    const ups = r.of('update');
    const firstEor = ups.findIndex((u) => endOfRibFamily(u));
    expect(announced(ups.slice(0, firstEor)).sort()).toEqual([
      '198.51.100.1/32',
      '198.51.100.2/32',
      '2001:db8:1::1/128',
    ]);
    expect(eors(ups)).toEqual(['ipv4', 'ipv6']);
    // Identical attributes: both /32 in one UPDATE.
    expect(ups.filter((u) => u.nlri.length).length).toBe(1);
    const st = s.status()[0]!;
    expect(st).toMatchObject({ state: 'Established', holdTimeSeconds: 9, advertised: 3 });
    expect(st.capabilities).toContain('graceful-restart');
  });

  test('after an agent restart (restarting: true) the OPEN carries the graceful-restart R bit', async () => {
    const { r, port } = await router();
    const { s } = speaker({ restarting: true });
    s.setPeers([peer(port)]);
    await until(() => r.of('open').length === 1);
    expect(r.of('open')[0]!.capabilities.find((c) => c.code === 64)).toMatchObject({ restarting: true });
  });

  test('ROUTE-REFRESH is answered from the Adj-RIB-Out for that family only', async () => {
    const { r, port } = await router();
    const { s } = speaker();
    s.setAdvertisements(new Map([['r1', ['198.51.100.1/32', '2001:db8:1::1/128']]]));
    s.setPeers([peer(port)]);
    await until(() => eors(r.of('update')).length === 2);
    const before = r.of('update').length;
    r.send(encodeRouteRefresh({ afi: 2, safi: 1, subtype: 0 }));
    await until(() => r.of('update').length > before);
    await Bun.sleep(30);
    const again = r.of('update').slice(before);
    expect(announced(again)).toEqual(['2001:db8:1::1/128']);
  });

  test('a BoRR or EoRR from the router is not a refresh request (RFC 7313 §5)', async () => {
    const { r, port } = await router();
    const { s } = speaker();
    s.setAdvertisements(new Map([['r1', ['198.51.100.1/32']]]));
    s.setPeers([peer(port)]);
    await until(() => eors(r.of('update')).length === 2);
    const before = r.of('update').length;
    const inBefore = s.session('r1')!.messagesIn;
    r.send(encodeRouteRefresh({ afi: 1, safi: 1, subtype: 1 }));
    r.send(encodeRouteRefresh({ afi: 1, safi: 1, subtype: 2 }));
    await until(() => s.session('r1')!.messagesIn >= inBefore + 2);
    await Bun.sleep(30);
    expect(r.of('update').length).toBe(before);
    expect(s.session('r1')!.state).toBe('Established');
  });

  test('announces only negotiated families (router without IPv6)', async () => {
    const { r, port } = await router({ asn: 65000, capabilities: [{ code: 1, afi: 1, safi: 1 }] });
    const { s } = speaker();
    s.setAdvertisements(new Map([['r1', ['198.51.100.1/32', '2001:db8:1::1/128']]]));
    s.setPeers([peer(port)]);
    await until(() => eors(r.of('update')).length === 1);
    await Bun.sleep(30);
    expect(announced(r.of('update'))).toEqual(['198.51.100.1/32']);
    expect(eors(r.of('update'))).toEqual(['ipv4']);
    expect(s.advertised()).toEqual(['198.51.100.1/32']);
  });

  test('setAdvertisements is idempotent and sends only the difference', async () => {
    const { r, port } = await router();
    const { s, metrics } = speaker();
    s.setPeers([peer(port)]);
    s.setAdvertisements(new Map([['r1', ['198.51.100.1/32', '198.51.100.2/32']]]));
    await until(() => announced(r.of('update')).length === 2);
    const n = r.of('update').length;
    s.setAdvertisements(new Map([['r1', ['198.51.100.2/32', '198.51.100.1/32']]]));
    s.setAdvertisements(new Map([['r1', ['198.51.100.2/32', '198.51.100.3/32']]]));
    await until(() => withdrawn(r.of('update')).length === 1 && announced(r.of('update')).length === 3);
    await Bun.sleep(30);
    const later = r.of('update').slice(n);
    expect(later.length).toBe(2);
    expect(withdrawn(later)).toEqual(['198.51.100.1/32']);
    expect(announced(later)).toEqual(['198.51.100.3/32']);
    expect(metrics.render()).toMatch(/edgelb_bgp_updates_sent_total\{peer="r1"\} [1-9]/);
  });

  test('a peer config change resets with Cease 6/6; removal sends 6/3', async () => {
    const { r, port } = await router();
    const { s } = speaker();
    s.setAdvertisements(new Map([['r1', ['198.51.100.1/32']]]));
    s.setPeers([peer(port)]);
    await until(() => r.of('update').length >= 1);
    s.setPeers([peer(port)]); // unchanged: nothing happens
    await Bun.sleep(20);
    expect(r.of('notification')).toEqual([]);
    s.setPeers([peer(port, { communities: ['65001:200'] })]);
    await until(() => r.of('notification').length === 1 && r.connections === 2);
    expect(r.of('notification')[0]).toMatchObject({ code: 6, subcode: 6 });
    await until(() => r.of('update').some((u) => u.attributes.communities?.[0] === 65001 * 65536 + 200));
    s.setPeers([]);
    await until(() => r.of('notification').length === 2);
    expect(r.of('notification')[1]).toMatchObject({ code: 6, subcode: 3 });
    expect(s.status()).toEqual([]);
  });

  test('a malformed UPDATE from the router: NOTIFICATION 3/10, reconnect with backoff', async () => {
    const { r, port } = await router();
    const { s, metrics } = speaker();
    s.setPeers([peer(port)]);
    await until(() => s.status()[0]?.state === 'Established');
    r.send(msg(2, '0000 000e 40010100 400200 400304c0000202 2101020304 05'.replace(/\s+/g, '')));
    await until(() => r.of('notification').length === 1);
    expect(r.of('notification')[0]).toMatchObject({ code: 3, subcode: 10 });
    expect(s.status()[0]!.lastNotificationSent).toBe('UPDATE Message Error/Invalid Network Field');
    expect(metrics.render()).toContain(
      'edgelb_bgp_notifications_total{peer="r1",direction="sent",code="update_message_error"} 1',
    );
    await until(() => r.connections === 2 && s.status()[0]!.state === 'Established');
  });

  test('treat-as-withdraw errors from the router keep the session up', async () => {
    const { r, port } = await router();
    const { s } = speaker();
    s.setPeers([peer(port)]);
    await until(() => s.status()[0]?.state === 'Established');
    r.send(msg(2, '0000 000e 40010107 400200 400304c0000202 20c6336401'.replace(/\s+/g, '')));
    await Bun.sleep(50);
    expect(r.of('notification')).toEqual([]);
    expect(s.status()[0]!.state).toBe('Established');
  });

  test('router OPEN with hold time 2 -> 2/6; wrong AS -> 2/2', async () => {
    const a = await router({ asn: 65000, holdTime: 2 });
    const s1 = speaker();
    s1.s.setPeers([peer(a.port)]);
    await until(() => a.r.of('notification').length >= 1);
    expect(a.r.of('notification')[0]).toMatchObject({ code: 2, subcode: 6 });
    const b = await router({ asn: 65099 });
    const s2 = speaker();
    s2.s.setPeers([peer(b.port)]);
    await until(() => b.r.of('notification').length >= 1);
    expect(b.r.of('notification')[0]).toMatchObject({ code: 2, subcode: 2 });
    expect(s2.s.status()[0]!.lastNotificationSent).toBe('OPEN Message Error/Bad Peer AS');
  });

  test('a NOTIFICATION from the router is recorded by name', async () => {
    const { r, port } = await router();
    const { s } = speaker();
    s.setPeers([peer(port)]);
    await until(() => s.status()[0]?.state === 'Established');
    r.send(msg(3, '0602 03627965'.replace(/\s+/g, '')));
    await until(() => s.status()[0]!.lastNotificationReceived !== undefined);
    expect(s.status()[0]!.lastNotificationReceived).toBe('Cease/Administrative Shutdown');
    expect(s.status()[0]!.state).not.toBe('Established');
    void hex;
  });
});

describe('listener, TCP-MD5 and GTSM', () => {
  async function pair(aPeer: Partial<PeerConfig>, bPeer: Partial<PeerConfig>, port: number) {
    const a = speaker({ listen: { address: '127.0.0.1', port }, routerId: '10.255.0.1' });
    a.s.setPeers([
      peer(0, {
        id: 'b',
        peerAddress: '127.0.0.2',
        localAddress: undefined,
        localASN: 65000,
        peerASN: 65001,
        passive: true,
        ...aPeer,
      }),
    ]);
    const b = speaker({ routerId: '10.255.0.2' });
    b.s.setPeers([peer(port, bPeer)]);
    return { a, b };
  }

  test('a passive peer is accepted by the listener; announcements flow', async () => {
    const port = await freePort();
    const { a, b } = await pair({}, {}, port);
    a.s.setAdvertisements(new Map([['b', ['198.51.100.9/32']]]));
    await until(() => a.s.status()[0]!.state === 'Established' && b.s.status()[0]!.state === 'Established');
    await until(() => a.s.advertised().length === 1);
    expect(a.s.advertised()).toEqual(['198.51.100.9/32']);
  });

  test('the listener refuses an address that is not a configured peer', async () => {
    const port = await freePort();
    const a = speaker({ listen: { address: '127.0.0.1', port } });
    a.s.setPeers([peer(0, { id: 'x', peerAddress: '127.0.0.9', passive: true })]);
    await Bun.sleep(20);
    const b = speaker();
    b.s.setPeers([peer(port, { localAddress: '127.0.0.3', localASN: 65000 })]);
    await Bun.sleep(300);
    expect(b.s.status()[0]!.state).not.toBe('Established');
    expect(a.log.lines.some((l) => l.includes('unconfigured address'))).toBe(true);
  });

  test('TCP-MD5: the right password establishes, a wrong one never gets past TCP', async () => {
    const port = await freePort();
    const { a, b } = await pair({ password: 's3cret' }, { password: 's3cret' }, port);
    await until(() => b.s.status()[0]!.state === 'Established');
    expect(JSON.stringify(a.s.status())).not.toContain('s3cret');
    expect(a.log.lines.join('\n')).not.toContain('s3cret');
    await b.s.stop('withdraw');
    await until(() => a.s.status()[0]!.state !== 'Established');
    const c = speaker({ routerId: '10.255.0.3' });
    c.s.setPeers([peer(port, { password: 'wrong' })]);
    await Bun.sleep(700);
    expect(['Connect', 'Idle']).toContain(c.s.status()[0]!.state);
    expect(c.s.status()[0]!.messagesIn).toBe(0);
  });

  test('GTSM: IP_MINTTL 254 drops a peer that sends TTL 64', async () => {
    const { r, port } = await router();
    const { s } = speaker();
    s.setPeers([peer(port, { gtsm: true })]);
    await Bun.sleep(500);
    expect(r.connections).toBe(0); // the SYN-ACK (TTL 64) never passes IP_MINTTL
    expect(s.status()[0]!.state).not.toBe('Established');
  });

  test('both sides active and listening: collision resolution leaves one Established session each', async () => {
    const pa = await freePort();
    const pb = await freePort();
    const a = speaker({ listen: { address: '127.0.0.1', port: pa }, routerId: '10.255.0.1' });
    const b = speaker({ listen: { address: '127.0.0.2', port: pb }, routerId: '10.255.0.2' });
    a.s.setAdvertisements(new Map([['b', ['198.51.100.1/32']]]));
    a.s.setPeers([
      peer(pb, {
        id: 'b',
        peerAddress: '127.0.0.2',
        localAddress: '127.0.0.1',
        localASN: 65000,
        peerASN: 65001,
      }),
    ]);
    b.s.setPeers([peer(pa, { id: 'a', peerAddress: '127.0.0.1', localAddress: '127.0.0.2' })]);
    await until(
      () => a.s.status()[0]!.state === 'Established' && b.s.status()[0]!.state === 'Established',
      8000,
    );
    await Bun.sleep(200);
    expect(a.s.status()[0]!.state).toBe('Established');
    expect(b.s.status()[0]!.state).toBe('Established');
    expect(a.s.advertised()).toEqual(['198.51.100.1/32']);
  }, 15_000);

  test('GTSM on both ends (listener TTL 255 + MINTTL 254) establishes', async () => {
    const port = await freePort();
    const { b } = await pair({ gtsm: true }, { gtsm: true }, port);
    await until(() => b.s.status()[0]!.state === 'Established');
  });
});
