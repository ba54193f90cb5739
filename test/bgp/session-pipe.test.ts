/** The session conformance suite over an in-memory pipe on the fake clock: no sockets, no sleeps. */
import { describe, expect, test } from 'bun:test';
import { sendHoldTime } from '../../agent/bgp/fsm/index.ts';
import { PEER_DEFAULTS } from '../../agent/bgp/peer.ts';
import { Session } from '../../agent/bgp/session.ts';
import { encodeKeepalive, encodeOpen, openFor } from '../../agent/bgp/wire/index.ts';
import { FakeClock, monotonicNow } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { type PipeEnd, pipe } from './pipe.ts';
import { Remote } from './remote.ts';
import { type Harness, runSessionCases } from './session.case.ts';

/** Lets the microtasks queued by the pipe and the session run (bounded). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

function pipeHarness(): { h: Harness; ends: PipeEnd[] } {
  const clock = new FakeClock();
  const waiting: ((r: Remote) => void)[] = [];
  const ready: Remote[] = [];
  const ends: PipeEnd[] = [];
  const h: Harness = {
    clock,
    peerAddress: '192.0.2.1',
    peerPort: 179,
    dial: (_o, handlers) => {
      const [local, remote] = pipe();
      ends.push(local);
      local.attach(handlers);
      const r = new Remote(remote);
      const w = waiting.shift();
      if (w) w(r);
      else ready.push(r);
      local.connect();
      return local;
    },
    accepted: () => {
      const r = ready.shift();
      return r ? Promise.resolve(r) : new Promise((resolve) => waiting.push(resolve));
    },
    async wait(ms) {
      // Step in small increments so the microtasks between timers run as they would in real time.
      const stepMs = Math.max(10, Math.floor(ms / 200));
      for (let t = 0; t < ms; t += stepMs) {
        clock.advance(Math.min(stepMs, ms - t));
        await settle();
      }
    },
    close: async () => {},
  };
  return { h, ends };
}

runSessionCases({ name: 'in-memory pipe, fake clock', newHarness: async () => pipeHarness().h });

describe('only on the fake clock', () => {
  test('RFC 9687: a peer that stops reading for SendHoldTime gets Send Hold Timer Expired', async () => {
    const { h, ends } = pipeHarness();
    const s = new Session(
      {
        id: 'r1',
        peerAddress: h.peerAddress,
        peerPort: h.peerPort,
        localASN: 65001,
        peerASN: 65000,
        holdTimeSeconds: PEER_DEFAULTS.holdTimeSeconds,
        keepAliveTimeSeconds: PEER_DEFAULTS.keepAliveTimeSeconds,
        connectRetryTimeSeconds: 120,
        gracefulRestart: { enabled: false, restartTimeSeconds: 120 },
        communities: [],
        largeCommunities: [],
      },
      { routerId: '10.255.0.2', clock: h.clock, random: () => 0.5, log: memoryLogger('error'), dial: h.dial },
    );
    s.start();
    const remote = await h.accepted();
    await remote.next('open');
    remote.send(encodeOpen(openFor(65000, 90, '10.255.0.1', [])));
    remote.send(encodeKeepalive());
    await remote.next('keepalive');
    await settle();
    expect(s.state).toBe('Established');
    // The peer stops reading now; keep its hold timer alive so only the send hold can fire.
    ends[0]!.blockedSince = monotonicNow(h.clock);
    const limit = sendHoldTime(90);
    let t = 0;
    for (; t + 30_000 < limit; t += 30_000) {
      remote.send(encodeKeepalive());
      await h.wait(30_000);
    }
    // Not before SendHoldTime on the session's clock ...
    expect(s.state).toBe('Established');
    for (; t <= limit + 30_000; t += 30_000) {
      remote.send(encodeKeepalive());
      await h.wait(30_000);
    }
    // ... and at the first keepalive tick after it.
    expect(s.state).not.toBe('Established');
    expect(s.lastNotificationSent).toBe('Send Hold Timer Expired');
    await s.stop();
  });
});
