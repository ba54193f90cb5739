/**
 * The BFD coupling of a BGP session (RFC 5882 §4.3, RFC 9384) on the fake clock over an
 * in-memory pipe: BFD Down on an Established session sends Cease 10 "BFD Down" at once; the
 * reconnect is held until BFD is Up, or until the bounded wait (30 s) runs out; a remote
 * AdminDown (never reported as down by the BFD manager) keeps the session.
 */
import { describe, expect, test } from 'bun:test';
import { DEFAULT_LIVENESS_WAIT_MS, gateDecision, type LivenessState } from '../../agent/bgp/liveness-gate.ts';
import { PEER_DEFAULTS } from '../../agent/bgp/peer.ts';
import { Session } from '../../agent/bgp/session.ts';
import { CeaseSubcode, ErrorCode, encodeKeepalive, encodeOpen, openFor } from '../../agent/bgp/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { pipe } from './pipe.ts';
import { Remote } from './remote.ts';

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

function rig(initial: LivenessState) {
  const clock = new FakeClock();
  const remotes: Remote[] = [];
  let liveness: LivenessState = initial;
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
    },
    {
      routerId: '10.255.0.2',
      clock,
      random: () => 0.5,
      log: memoryLogger('error'),
      liveness: () => liveness,
      dial: (_o, handlers) => {
        const [local, remote] = pipe();
        local.attach(handlers);
        remotes.push(new Remote(remote));
        local.connect();
        return local;
      },
    },
  );
  const wait = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(Math.min(100, ms - t));
      await settle();
    }
  };
  const establish = async (r: Remote) => {
    await r.next('open');
    r.send(encodeOpen(openFor(65000, 90, '10.255.0.1', [])));
    r.send(encodeKeepalive());
    await r.next('keepalive');
    await settle();
  };
  return {
    s,
    clock,
    remotes,
    wait,
    establish,
    set: (l: LivenessState) => {
      liveness = l;
    },
  };
}

describe('gateDecision (pure)', () => {
  test('no detector or Up: connect; Down: wait out the rest of the bound, then connect without it', () => {
    const v = { waitingSince: undefined, waitedOut: false, maxWaitMs: DEFAULT_LIVENESS_WAIT_MS };
    expect(gateDecision({ ...v, liveness: undefined }, 0)).toEqual({
      type: 'connect',
      withoutLiveness: false,
    });
    expect(gateDecision({ ...v, liveness: 'up' }, 0)).toEqual({ type: 'connect', withoutLiveness: false });
    expect(gateDecision({ ...v, liveness: 'down' }, 1000)).toEqual({ type: 'wait', ms: 30_000 });
    expect(gateDecision({ ...v, liveness: 'down', waitingSince: 1000 }, 21_000)).toEqual({
      type: 'wait',
      ms: 10_000,
    });
    expect(gateDecision({ ...v, liveness: 'down', waitingSince: 1000 }, 31_000)).toEqual({
      type: 'connect',
      withoutLiveness: true,
    });
    expect(gateDecision({ ...v, liveness: 'down', waitedOut: true }, 0)).toEqual({
      type: 'connect',
      withoutLiveness: true,
    });
  });
});

describe('BGP session coupled to BFD (fake clock)', () => {
  test('BFD down on Established: Cease 10 "BFD Down" at once; reconnect held until BFD is Up', async () => {
    const r = rig('up');
    r.s.start();
    await settle();
    expect(r.remotes.length).toBe(1);
    await r.establish(r.remotes[0]!);
    expect(r.s.state).toBe('Established');

    r.set('down');
    r.s.livenessDown('BFD: Control Detection Time Expired');
    await settle();
    const n = await r.remotes[0]!.next('notification');
    expect(n.code).toBe(ErrorCode.Cease);
    expect(n.subcode).toBe(CeaseSubcode.BFDDown);
    expect(CeaseSubcode.BFDDown).toBe(10);
    expect(r.s.state).not.toBe('Established');
    expect(r.s.lastNotificationSent).toBe('Cease/BFD Down');

    // The idle hold (1 s) runs out, but BFD is still down: no new connection for 20 s.
    await r.wait(20_000);
    expect(r.remotes.length).toBe(1);
    expect(r.s.waitingForLiveness).toBe(true);

    r.set('up');
    r.s.livenessUp();
    await settle();
    expect(r.remotes.length).toBe(2);
    await r.establish(r.remotes[1]!);
    expect(r.s.state).toBe('Established');
    expect(r.s.livenessProblem).toBeUndefined();
    await r.s.stop();
  });

  test('a peer that never answers BFD: the connect waits 30 s, then goes on without it and says so', async () => {
    const r = rig('down');
    r.s.start();
    await settle();
    expect(r.remotes.length).toBe(0);
    await r.wait(DEFAULT_LIVENESS_WAIT_MS - 1000);
    expect(r.remotes.length).toBe(0);
    expect(r.s.waitingForLiveness).toBe(true);
    await r.wait(1500);
    expect(r.remotes.length).toBe(1);
    expect(r.s.livenessProblem).toContain('not Up after 30 s');
    await r.establish(r.remotes[0]!);
    expect(r.s.state).toBe('Established');
    // BFD finally comes up: the problem clears.
    r.set('up');
    r.s.livenessUp();
    expect(r.s.livenessProblem).toBeUndefined();
    await r.s.stop();
  });

  test('a remote AdminDown is no path failure: the session stays Established', async () => {
    // The BFD manager reports a remote AdminDown as `adminDown`, never `down`, and the
    // coupling does not call livenessDown for it; the gate state is whatever it was.
    const r = rig('up');
    r.s.start();
    await settle();
    await r.establish(r.remotes[0]!);
    r.set('down'); // the session left Up (AdminDown), but nobody calls livenessDown
    await r.wait(5000);
    r.remotes[0]!.send(encodeKeepalive());
    await settle();
    expect(r.s.state).toBe('Established');
    expect(r.remotes.length).toBe(1);
    await r.s.stop();
  });

  test('no detector for the peer: never gated', async () => {
    const r = rig(undefined);
    r.s.start();
    await settle();
    expect(r.remotes.length).toBe(1);
    expect(r.s.waitingForLiveness).toBe(false);
    await r.s.stop();
  });
});
