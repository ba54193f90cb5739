/**
 * The session conformance suite (hono's router/common.case.test.ts is the model): the same
 * cases run over an in-memory pipe on the fake clock (session-pipe.test.ts) and over loopback
 * sockets on real time (session-socket.test.ts). A harness gives a Session whose outgoing
 * connections arrive at `accepted()`, seen from the peer's side.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { PEER_DEFAULTS, type SessionConfig } from '../../agent/bgp/peer.ts';
import { Session, type SessionDeps } from '../../agent/bgp/session.ts';
import {
  AFI_IPV4,
  type Capability,
  CeaseSubcode,
  ErrorCode,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  encodeRouteRefresh,
  endOfRibFamily,
  OpenSubcode,
  openFor,
  RouteRefreshSubtype,
  SAFI_UNICAST,
  type UpdateMessage,
} from '../../agent/bgp/wire/index.ts';
import type { Clock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';
import type { Remote } from './remote.ts';

export interface Harness {
  clock: Clock;
  /** Lets ms pass: the fake clock advances, real time sleeps. */
  wait(ms: number): Promise<void>;
  /** The dial the session uses, and where its connections arrive. */
  dial: SessionDeps['dial'];
  peerAddress: string;
  peerPort: number;
  accepted(): Promise<Remote>;
  close(): Promise<void>;
}

export interface SuiteOptions {
  name: string;
  newHarness(): Promise<Harness>;
  skip?: string[];
}

const ROUTER_ID = '10.255.0.1';
const LOCAL_ASN = 65001;
const PEER_ASN = 65000;
const CAPS: Capability[] = [
  { code: 1, afi: 1, safi: 1 },
  { code: 1, afi: 2, safi: 1 },
  { code: 2 },
  { code: 65, asn: PEER_ASN },
];

function desired(...texts: string[]): PrefixList {
  return PrefixList.fromTexts(texts);
}

const announced = (u: UpdateMessage) => [...u.nlri, ...(u.attributes.mpReach?.nlri ?? [])];

export function runSessionCases(o: SuiteOptions): void {
  const run = (name: string, fn: () => Promise<void>) =>
    o.skip?.includes(name) ? test.skip(name, fn) : test(name, fn);
  let h: Harness;
  const sessions: Session[] = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.stop();
    await h?.close();
  });

  async function start(over: Partial<SessionConfig> = {}) {
    h = await o.newHarness();
    const log = memoryLogger('debug');
    const events: string[] = [];
    const s = new Session(
      {
        id: 'r1',
        peerAddress: h.peerAddress,
        peerPort: h.peerPort,
        localASN: LOCAL_ASN,
        peerASN: PEER_ASN,
        holdTimeSeconds: PEER_DEFAULTS.holdTimeSeconds,
        keepAliveTimeSeconds: PEER_DEFAULTS.keepAliveTimeSeconds,
        connectRetryTimeSeconds: 2,
        idleHoldBaseMs: 20,
        gracefulRestart: { enabled: false, restartTimeSeconds: 120 },
        communities: [],
        largeCommunities: [],
        ...over,
      },
      {
        routerId: '10.255.0.2',
        nextHopV4: '192.0.2.10',
        nextHopV6: '2001:db8::10',
        clock: h.clock,
        random: () => 0.5,
        log,
        dial: h.dial,
        events: {
          established: () => events.push('established'),
          down: (_s, reason) => events.push(`down: ${reason}`),
        },
      },
    );
    sessions.push(s);
    s.start();
    const remote = await h.accepted();
    return { s, remote, events, log };
  }

  /** The peer's side of the OPEN exchange; resolves once the session sent its KEEPALIVE. */
  async function establish(remote: Remote, holdTime = 90) {
    const open = await remote.next('open');
    remote.send(encodeOpen(openFor(PEER_ASN, holdTime, ROUTER_ID, CAPS)));
    remote.send(encodeKeepalive());
    await remote.next('keepalive');
    return open;
  }

  describe(`session conformance: ${o.name}`, () => {
    run(
      'OPEN carries our ASN, hold time and identifier; KEEPALIVEs establish; End-of-RIB follows',
      async () => {
        const { s, remote, events } = await start();
        const open = await establish(remote);
        expect(open.bgpId).toBe('10.255.0.2');
        expect(open.holdTime).toBe(PEER_DEFAULTS.holdTimeSeconds);
        expect(open.capabilities.some((c) => c.code === 65 && 'asn' in c && c.asn === LOCAL_ASN)).toBe(true);
        const eor = await remote.next('update');
        expect(endOfRibFamily(eor)).toBe('ipv4');
        expect(s.state).toBe('Established');
        expect(events).toEqual(['established']);
      },
    );

    run('desired prefixes are announced, then withdrawn; the Adj-RIB-Out follows', async () => {
      const { s, remote } = await start();
      s.setDesired(desired('198.51.100.1/32', '2001:db8:1::1/128'));
      await establish(remote);
      const got: string[] = [];
      for (let i = 0; i < 10 && got.length < 2; i++) got.push(...announced(await remote.next('update')));
      expect(got.sort()).toEqual(['198.51.100.1/32', '2001:db8:1::1/128']);
      expect([...s.adjRibOut.keys()].sort()).toEqual(['198.51.100.1/32', '2001:db8:1::1/128']);
      s.setDesired(desired('2001:db8:1::1/128'));
      let u = await remote.next('update');
      while (u.withdrawn.length === 0) u = await remote.next('update');
      expect(u.withdrawn).toEqual(['198.51.100.1/32']);
      expect([...s.adjRibOut.keys()]).toEqual(['2001:db8:1::1/128']);
    });

    run('a ROUTE-REFRESH re-sends the family', async () => {
      const { s, remote } = await start();
      s.setDesired(desired('198.51.100.7/32'));
      await establish(remote);
      let u = await remote.next('update');
      while (!u.nlri.length) u = await remote.next('update');
      remote.send(
        encodeRouteRefresh({ afi: AFI_IPV4, safi: SAFI_UNICAST, subtype: RouteRefreshSubtype.Normal }),
      );
      u = await remote.next('update');
      while (!u.nlri.length) u = await remote.next('update');
      expect(u.nlri).toEqual(['198.51.100.7/32']);
    });

    run('a wrong peer AS in the OPEN gets OPEN Message Error / Bad Peer AS', async () => {
      const { s, remote, events } = await start();
      await remote.next('open');
      remote.send(encodeOpen(openFor(64999, 90, ROUTER_ID, [])));
      const n = await remote.next('notification');
      expect([n.code, n.subcode]).toEqual([ErrorCode.OpenMessage, OpenSubcode.BadPeerAS]);
      await remote.closed;
      expect(s.lastNotificationSent).toBe('OPEN Message Error/Bad Peer AS');
      expect(s.state).toBe('Idle');
      expect(events).toEqual([]);
    });

    run('a NOTIFICATION from the peer takes the session down; it reconnects by itself', async () => {
      const { s, remote, events } = await start();
      await establish(remote);
      const again = h.accepted();
      remote.send(
        encodeNotification({
          code: ErrorCode.Cease,
          subcode: CeaseSubcode.AdministrativeReset,
          data: new Uint8Array(0),
        }),
      );
      await remote.closed;
      expect(s.adjRibOut.size).toBe(0);
      expect(events).toContain('down: NOTIFICATION received');
      expect(s.lastNotificationReceived).toBe('Cease/Administrative Reset');
      await h.wait(100);
      const second = await again;
      await establish(second);
      expect(s.state).toBe('Established');
    });

    run('a silent peer: keepalives every third of the hold time, then Hold Timer Expired', async () => {
      const { s, remote } = await start({ holdTimeSeconds: 3, keepAliveTimeSeconds: 1 });
      await establish(remote, 3);
      const before = remote.received.filter((m) => m.type === 'keepalive').length;
      await h.wait(1100);
      expect(remote.received.filter((m) => m.type === 'keepalive').length).toBeGreaterThan(before);
      await h.wait(2000);
      const n = await remote.next('notification');
      expect([n.code, n.subcode]).toEqual([ErrorCode.HoldTimerExpired, 0]);
      expect(s.state).not.toBe('Established');
    });

    run('stop with a NOTIFICATION delivers it before the close', async () => {
      const { s, remote } = await start();
      await establish(remote);
      await s.stop({ code: ErrorCode.Cease, subcode: CeaseSubcode.AdministrativeShutdown });
      const n = await remote.next('notification');
      expect([n.code, n.subcode]).toEqual([ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown]);
      await remote.closed;
    });
  });
}
