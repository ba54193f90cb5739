/**
 * A BGP session's timing on monotonic time: stepping the wall clock (NTP on a board without an
 * RTC, an operator's `date -s`) by an hour either way in the middle of an Established session
 * neither expires its hold timer nor skips a KEEPALIVE, a real silence is still detected at
 * exactly the hold time, the RFC 9687 send hold, the wait for BFD and the ROUTE-REFRESH pacing
 * keep their deadlines, and the uptime is neither reset nor inflated. FakeClock.jump moves the
 * wall clock only; advance moves both.
 */
import { describe, expect, test } from 'bun:test';
import { sendHoldTime } from '../../agent/bgp/fsm/index.ts';
import { LastErrorTracker } from '../../agent/bgp/last-error.ts';
import { LivenessHold } from '../../agent/bgp/liveness-hold.ts';
import { REFRESH_MIN_INTERVAL_MS } from '../../agent/bgp/rib/refresh-queue.ts';
import { Speaker } from '../../agent/bgp/speaker.ts';
import {
  AFI_IPV4,
  ErrorCode,
  encodeKeepalive,
  encodeOpen,
  encodeRouteRefresh,
  openFor,
  RouteRefreshSubtype,
  SAFI_UNICAST,
} from '../../agent/bgp/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';
import { peer } from '../support/speaker-main.ts';
import { establishedPipeSession, settle } from './established.ts';
import { pipe } from './pipe.ts';
import { Remote } from './remote.ts';

const HOUR = 3_600_000;
const HOLD = 90;
const KEEPALIVE_MS = 30_000;

async function established(clock: FakeClock) {
  const { s, local, remote } = await establishedPipeSession({
    clock,
    holdTime: HOLD,
    keepAliveSeconds: KEEPALIVE_MS / 1000,
  });
  return { s, local, remote };
}

/** Monotonic times at which the session sent a KEEPALIVE (after the OPEN exchange); call after each step. */
function keepaliveLog(clock: FakeClock, remote: Remote): () => number[] {
  const at: number[] = [];
  let seen = remote.received.length;
  return () => {
    for (; seen < remote.received.length; seen++)
      if (remote.received[seen]!.type === 'keepalive') at.push(clock.monotonic());
    return at;
  };
}

/** Advances `ms` in 1 s steps; `each` runs after every step (the peer's side). */
async function run(clock: FakeClock, ms: number, each: (t: number) => void = () => {}): Promise<void> {
  for (let t = 0; t < ms; t += 1000) {
    clock.advance(Math.min(1000, ms - t));
    await settle();
    each(t + 1000);
  }
}

describe('an Established session across a wall-clock step (FakeClock.jump)', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`${jump / HOUR} h: no hold-timer expiry, no missed KEEPALIVE; silence is caught at exactly the hold time`, async () => {
      const clock = new FakeClock();
      const { s, remote } = await established(clock);
      const sent = keepaliveLog(clock, remote);
      const t0 = clock.monotonic();
      // Steady state: the peer sends a KEEPALIVE every 30 s; the wall clock steps in the middle.
      const peer = (t: number) => {
        sent();
        if (t % KEEPALIVE_MS === 0) remote.send(encodeKeepalive());
      };
      await run(clock, 100_000, peer);
      clock.jump(jump);
      await run(clock, 200_000, peer);
      expect(s.state).toBe('Established');
      expect(s.lastNotificationSent).toBeUndefined();
      // Ours went out every 30 s of monotonic time, none skipped, none doubled.
      const ka = sent();
      expect(ka.length).toBe(10);
      for (let i = 1; i < ka.length; i++) expect(ka[i]! - ka[i - 1]!).toBe(KEEPALIVE_MS);
      expect(ka[0]! - t0).toBeLessThanOrEqual(KEEPALIVE_MS);
      // The uptime is 300 s: the step neither reset nor inflated it; the shown start moved with it.
      expect(s.establishedForMs).toBe(300_000);
      // Now the peer goes silent: Hold Timer Expired exactly HOLD s after its last KEEPALIVE.
      remote.send(encodeKeepalive());
      await settle();
      const last = clock.monotonic();
      clock.jump(-jump);
      await run(clock, HOLD * 1000 - 1000);
      clock.advance(999);
      await settle();
      expect(s.state).toBe('Established');
      clock.advance(1);
      await settle();
      expect(clock.monotonic() - last).toBe(HOLD * 1000);
      expect(s.state).not.toBe('Established');
      expect(s.lastNotificationSent).toBe('Hold Timer Expired');
      const n = await remote.next('notification');
      expect([n.code, n.subcode]).toEqual([ErrorCode.HoldTimerExpired, 0]);
      expect(s.establishedForMs).toBe(0);
      await s.stop();
    });

    test(`${jump / HOUR} h while the peer stops reading: Send Hold Timer Expired at exactly SendHoldTime`, async () => {
      const clock = new FakeClock();
      const { s, local, remote } = await established(clock);
      await run(clock, 10_000);
      // The peer reads nothing more (the socket buffers 1 KiB) but keeps its own hold alive.
      local.stall(1024, () => clock.monotonic());
      s.setDesired(
        PrefixList.fromTexts(Array.from({ length: 500 }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`)),
      );
      await settle();
      const blocked = local.blockedSince!;
      expect(blocked).toBe(clock.monotonic());
      // Shown in wall time (now minus how long it has been blocked).
      expect(s.sendBlockedSince).toBe(clock.now());
      const limit = sendHoldTime(HOLD);
      const keep = (t: number) => t % KEEPALIVE_MS === 0 && remote.send(encodeKeepalive());
      await run(clock, 60_000, keep);
      clock.jump(jump);
      expect(s.sendBlockedSince).toBe(clock.now() - 60_000);
      await run(clock, limit - 60_000 - 1000, keep);
      clock.advance(999);
      await settle();
      expect(s.state).toBe('Established');
      clock.advance(1);
      await settle();
      expect(clock.monotonic() - blocked).toBe(limit);
      expect(s.state).not.toBe('Established');
      expect(s.sendHoldExpiries).toBe(1);
      expect(s.lastNotificationSent).toBe('Send Hold Timer Expired');
      await s.stop();
    });

    test(`${jump / HOUR} h: ROUTE-REFRESH re-sends stay paced at ${REFRESH_MIN_INTERVAL_MS} ms, not an hour`, async () => {
      const clock = new FakeClock();
      const { s, remote } = await established(clock);
      s.setDesired(PrefixList.fromTexts(['10.0.0.1/32', '10.0.0.2/32']));
      await run(clock, 2000);
      const refresh = encodeRouteRefresh({
        afi: AFI_IPV4,
        safi: SAFI_UNICAST,
        subtype: RouteRefreshSubtype.Normal,
      });
      const updates = () => remote.received.filter((m) => m.type === 'update').length;
      remote.send(refresh);
      await settle();
      const first = updates();
      clock.jump(jump);
      // The next request, half a pacing interval later: re-sent once the interval is over.
      clock.advance(REFRESH_MIN_INTERVAL_MS / 2);
      remote.send(refresh);
      await settle();
      expect(updates()).toBe(first);
      clock.advance(REFRESH_MIN_INTERVAL_MS / 2);
      await settle();
      expect(updates()).toBeGreaterThan(first);
      await s.stop();
    });
  }
});

describe('the wait for BFD before connecting (liveness-hold.ts) across a wall-clock step', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`${jump / HOUR} h: the bounded wait ends at exactly maxWaitMs, not early, not an hour late`, () => {
      const clock = new FakeClock();
      const hold = new LivenessHold({
        peerId: 'r1',
        peerAddress: '192.0.2.1',
        clock,
        log: memoryLogger('error'),
        liveness: () => 'down',
        maxWaitMs: 30_000,
      });
      let connected = 0;
      hold.request(
        () => connected++,
        () => true,
      );
      expect(hold.waiting).toBe(true);
      clock.advance(10_000);
      clock.jump(jump);
      clock.advance(19_999);
      // Not yet: neither our connect nor the peer's connection goes ahead without BFD.
      expect(connected).toBe(0);
      expect(hold.admitIncoming()).toBe(false);
      clock.advance(1);
      expect(connected).toBe(1);
      expect(hold.problem).toContain('not Up after 30 s');
    });
  }
});

describe('LastErrorTracker: the warn log is paced on monotonic time, the time shown is wall', () => {
  test('a step back of the wall clock does not silence the log for an hour', () => {
    const t = new LastErrorTracker();
    expect(t.record('refused', 1_000 * HOUR, 5_000)).toBe(true);
    // 61 s later on the monotonic clock, an hour earlier on the wall clock.
    expect(t.record('timeout', 999 * HOUR, 66_000)).toBe(true);
    expect(t.value).toEqual({ message: 'timeout', at: 999 * HOUR });
    // ... and a step forward does not let it flood.
    expect(t.record('refused', 1_001 * HOUR, 67_000)).toBe(false);
  });
});

describe("the speaker's uptime in /status across a wall-clock step", () => {
  test('counted on monotonic time: a step back does not make it negative, a step forward does not add an hour', async () => {
    const clock = new FakeClock();
    let remote!: Remote;
    const s = new Speaker({
      routerId: '10.255.0.2',
      nextHopV4: '192.0.2.10',
      clock,
      random: () => 0.5,
      log: memoryLogger('error'),
      metrics: new Registry(),
      dial: (_o, handlers) => {
        const [a, b] = pipe();
        a.attach(handlers);
        remote = new Remote(b);
        a.connect();
        return a;
      },
    });
    s.setPeers([
      peer({
        id: 'r1',
        peerAddress: '192.0.2.1',
        peerPort: 179,
        localASN: 65001,
        peerASN: 65000,
        holdTimeSeconds: 0,
      }),
    ]);
    await settle();
    await remote.next('open');
    remote.send(encodeOpen(openFor(65000, 0, '10.255.0.1', [{ code: 2 }])));
    remote.send(encodeKeepalive());
    await settle();
    const uptime = () => s.status()[0]!.uptimeSeconds;
    expect(s.status()[0]!.state).toBe('Established');
    await run(clock, 100_000);
    expect(uptime()).toBe(100);
    clock.jump(-HOUR);
    expect(uptime()).toBe(100);
    clock.jump(2 * HOUR);
    await run(clock, 5_000);
    expect(uptime()).toBe(105);
    await s.stop('keep');
  });
});
