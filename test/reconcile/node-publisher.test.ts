/**
 * The EdgeLBNode status writer: only on change, at most once per interval under any churn,
 * the periodic check catching session changes without a pass, retries after a failure; and
 * the status itself (sorted peers, "since" kept while the state holds, capped lists).
 */
import { describe, expect, test } from 'bun:test';
import type { EdgeLBNodeStatus } from '../../agent/api/edgelb-node.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { NodePublisher } from '../../agent/reconcile/node-publisher.ts';
import { announceReason } from '../../agent/reconcile/plan/announce-reasons.ts';
import { NODE_LIST_CAP, nodeStatus, type SinceMemory } from '../../agent/reconcile/plan/node-status.ts';

function status(announced: number): EdgeLBNodeStatus {
  return { peers: [], peersUp: 0, announced, l2Owned: [], l2OwnedTotal: 0, blocked: [], blockedTotal: 0 };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function setup(interval = 5000) {
  const clock = new FakeClock();
  let current = status(0);
  const writes: { at: number; status: EdgeLBNodeStatus }[] = [];
  let fail = false;
  const p = new NodePublisher({
    clock,
    minIntervalMs: interval,
    snapshot: () => current,
    write: async (s) => {
      if (fail) throw new Error('503 Service Unavailable');
      writes.push({ at: clock.now(), status: s });
    },
    log: memoryLogger('error'),
    metrics: new Registry(),
  });
  return {
    clock,
    p,
    writes,
    set: (n: number) => {
      current = status(n);
    },
    failing: (f: boolean) => {
      fail = f;
    },
    /** Advance in steps, letting the async check finish after each timer. */
    async advance(ms: number, step = 100) {
      for (let t = 0; t < ms; t += step) {
        clock.advance(step);
        await flush();
      }
    },
  };
}

describe('NodePublisher', () => {
  test('writes the first status at once, then nothing while nothing changes', async () => {
    const t = setup();
    t.p.poke();
    await t.advance(100);
    expect(t.writes).toHaveLength(1);
    await t.advance(60_000);
    expect(t.writes).toHaveLength(1);
    t.p.stop();
  });

  test('under churn (a change every 10 ms for 60 s): at most one write per 5 s, the last state written', async () => {
    const t = setup();
    let n = 0;
    for (let i = 0; i < 6000; i++) {
      t.set(++n);
      t.p.poke();
      t.clock.advance(10);
      await flush();
    }
    await t.advance(10_000);
    // 60 s of churn + settling: bounded by one write per interval
    expect(t.writes.length).toBeLessThanOrEqual(60_000 / 5000 + 2);
    expect(t.writes.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < t.writes.length; i++)
      expect(t.writes[i]!.at - t.writes[i - 1]!.at).toBeGreaterThanOrEqual(5000);
    expect(t.writes.at(-1)!.status.announced).toBe(n);
    t.p.stop();
  });

  test('a change without a poke (a session going down) is written within one interval', async () => {
    const t = setup();
    t.p.poke();
    await t.advance(100);
    t.set(7);
    await t.advance(5100);
    expect(t.writes.map((w) => w.status.announced)).toEqual([0, 7]);
    t.p.stop();
  });

  test('a failed write is retried at the next check', async () => {
    const t = setup();
    t.failing(true);
    t.p.poke();
    await t.advance(100);
    expect(t.writes).toHaveLength(0);
    t.failing(false);
    await t.advance(5100);
    expect(t.writes).toHaveLength(1);
    t.p.stop();
  });

  test('stopped: no more writes', async () => {
    const t = setup();
    t.p.stop();
    t.p.poke();
    await t.advance(20_000);
    expect(t.writes).toHaveLength(0);
  });
});

describe('nodeStatus', () => {
  const now = Date.parse('2026-12-06T15:00:10.400Z');
  const peer = {
    id: '192.168.2.1',
    peerASN: 65000,
    localASN: 65001,
    state: 'Established',
    uptimeSeconds: 10,
    advertised: 2,
  };
  test('state: active, or the strongest reason the node announces nothing', () => {
    const base = { peers: [peer], advertised: [], l2Owned: [], blocked: [], now };
    expect(nodeStatus(base, new Map()).state).toBe('active');
    const drained = nodeStatus(
      {
        ...base,
        withheld: [
          { reason: 'NodeDrained', message: 'drained' },
          { reason: 'NodeCordoned', message: 'cordoned' },
        ],
      },
      new Map(),
    );
    expect(drained.state).toBe('drained');
    expect(
      nodeStatus({ ...base, withheld: [{ reason: 'NodeExcluded', message: 'x' }] }, new Map()).state,
    ).toBe('excluded');
  });

  test('peers sorted, since kept while the state holds, a new since on a change', () => {
    const memory: SinceMemory = new Map();
    const input = {
      peers: [peer],
      advertised: ['10.0.0.1/32', '10.0.0.2/32'],
      l2Owned: [],
      blocked: [],
      now,
    };
    const a = nodeStatus(input, memory);
    expect(a.peers[0]).toEqual({
      peer: '192.168.2.1',
      peerASN: 65000,
      localASN: 65001,
      state: 'Established',
      since: '2026-12-06T15:00:00.000Z',
      lastError: '',
      bfdState: '',
      advertised: 2,
    });
    expect(a.peersUp).toBe(1);
    expect(a.announced).toBe(2);
    // uptime 11 s one second later, but rounding must not change since
    const b = nodeStatus({ ...input, peers: [{ ...peer, uptimeSeconds: 11 }], now: now + 1300 }, memory);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const down = nodeStatus(
      {
        ...input,
        peers: [
          {
            ...peer,
            state: 'Active',
            lastError: { message: 'connect: Connection refused', at: '2026-12-06T15:00:20.000Z' },
          },
        ],
      },
      memory,
    );
    expect(down.peers[0]).toMatchObject({
      state: 'Active',
      since: '2026-12-06T15:00:20.000Z',
      lastError: 'connect: Connection refused',
    });
    expect(down.peersUp).toBe(0);
  });

  test('blocked and L2 lists capped at 100, with totals', () => {
    const blocked = Array.from({ length: 150 }, (_, i) => ({
      ip: `10.0.${Math.floor(i / 250)}.${i % 250}`,
      reason: announceReason('PeersDown', 'BGP peer 192.168.2.1 is Active'),
      peers: [],
    }));
    const owned = Array.from({ length: 120 }, (_, i) => `10.1.0.${i}`);
    const s = nodeStatus({ peers: [], advertised: [], l2Owned: owned, blocked, now }, new Map());
    expect(s.blocked).toHaveLength(NODE_LIST_CAP);
    expect(s.blockedTotal).toBe(150);
    expect(s.blocked[0]).toEqual({
      ip: '10.0.0.0',
      reason: 'PeersDown',
      message: 'BGP peer 192.168.2.1 is Active',
    });
    expect(s.l2Owned).toHaveLength(NODE_LIST_CAP);
    expect(s.l2OwnedTotal).toBe(120);
  });
});

describe('NodePublisher checks', () => {
  test('pokes under churn with nothing changed: at most 5 status builds per interval', async () => {
    const clock = new FakeClock();
    let builds = 0;
    const p = new NodePublisher({
      clock,
      snapshot: () => {
        builds++;
        return status(1);
      },
      write: async () => {},
      log: memoryLogger('error'),
      metrics: new Registry(),
    });
    for (let i = 0; i < 1000; i++) {
      p.poke();
      clock.advance(10);
      await flush();
    }
    // 10 s: one write, then checks spaced by at least 1 s
    expect(builds).toBeGreaterThanOrEqual(5);
    expect(builds).toBeLessThanOrEqual(11);
    p.stop();
  });
});
