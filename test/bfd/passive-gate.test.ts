/**
 * The BFD liveness gate on connections the peer opens (RFC 5882 §4.3): a passive BGP
 * session, or a router that connects first, is refused while BFD says the path is down,
 * admitted once BFD is Up, and after the bounded wait (30 s) admitted without BFD with a
 * problem in /status. Fake clock, in-memory pipes.
 */
import { expect, test } from 'bun:test';
import { DEFAULT_LIVENESS_WAIT_MS, type LivenessState } from '../../agent/bgp/liveness-gate.ts';
import { PEER_DEFAULTS } from '../../agent/bgp/peer.ts';
import { Session } from '../../agent/bgp/session.ts';
import { encodeKeepalive, encodeOpen, openFor } from '../../agent/bgp/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { pipe } from '../bgp/pipe.ts';
import { Remote } from '../bgp/remote.ts';

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

function passiveRig(initial: LivenessState) {
  const clock = new FakeClock();
  let liveness: LivenessState = initial;
  let dials = 0;
  const s = new Session(
    {
      id: 'r1',
      peerAddress: '192.0.2.1',
      peerPort: 179,
      localASN: 65001,
      peerASN: 65000,
      holdTimeSeconds: PEER_DEFAULTS.holdTimeSeconds,
      keepAliveTimeSeconds: PEER_DEFAULTS.keepAliveTimeSeconds,
      connectRetryTimeSeconds: 120,
      gracefulRestart: { enabled: false, restartTimeSeconds: 120 },
      communities: [],
      largeCommunities: [],
      passive: true,
    },
    {
      routerId: '10.255.0.2',
      clock,
      random: () => 0.5,
      log: memoryLogger('error'),
      liveness: () => liveness,
      dial: () => {
        dials++;
        throw new Error('a passive session never dials');
      },
    },
  );
  /** The router connects to us: the session accepts one end, the test plays the other. */
  const incoming = async () => {
    const [routerEnd, ourEnd] = pipe('192.0.2.1', '192.0.2.10');
    const r = new Remote(routerEnd);
    s.accept(ourEnd);
    await settle();
    return r;
  };
  const wait = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(Math.min(100, ms - t));
      await settle();
    }
  };
  return {
    s,
    incoming,
    wait,
    dials: () => dials,
    set: (l: LivenessState) => {
      liveness = l;
    },
  };
}

async function establish(r: Remote): Promise<void> {
  r.send(encodeOpen(openFor(65000, 90, '10.255.0.1', [])));
  await r.next('open');
  r.send(encodeKeepalive());
  await r.next('keepalive');
  await settle();
}

test('passive session: the peer’s connection is refused while BFD is down, admitted once it is Up', async () => {
  const r = passiveRig('down');
  r.s.start();
  await settle();
  const refused = await r.incoming();
  expect(refused.isClosed).toBe(true);
  expect(refused.received).toEqual([]);
  expect(r.s.state).not.toBe('Established');
  await r.wait(5000);
  expect((await r.incoming()).isClosed).toBe(true);

  r.set('up');
  r.s.livenessUp();
  const admitted = await r.incoming();
  expect(admitted.isClosed).toBe(false);
  await establish(admitted);
  expect(r.s.state).toBe('Established');
  expect(r.s.livenessProblem).toBeUndefined();
  expect(r.dials()).toBe(0);
  await r.s.stop();
});

test('passive session, a peer that never answers BFD: refused for the bounded wait, then admitted and said so', async () => {
  const r = passiveRig('down');
  r.s.start();
  await settle();
  expect((await r.incoming()).isClosed).toBe(true);
  await r.wait(DEFAULT_LIVENESS_WAIT_MS - 1000);
  expect((await r.incoming()).isClosed).toBe(true);
  expect(r.s.livenessProblem).toBeUndefined();
  await r.wait(1500);
  const late = await r.incoming();
  expect(late.isClosed).toBe(false);
  expect(r.s.livenessProblem).toContain('not Up after 30 s');
  await establish(late);
  expect(r.s.state).toBe('Established');
  await r.s.stop();
});

test('no detector for the peer (or BFD never Up yet): the peer’s connection is admitted at once', async () => {
  const r = passiveRig(undefined);
  r.s.start();
  await settle();
  const c = await r.incoming();
  expect(c.isClosed).toBe(false);
  await establish(c);
  expect(r.s.state).toBe('Established');
  await r.s.stop();
});
