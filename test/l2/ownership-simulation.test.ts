/**
 * L2Ownership shells on one FakeClock against an in-memory Lease API with delayed watches:
 * failover, stickiness, clean stop, API partitions and stalled watches, ETP=Local moves, and a
 * seeded fast-check property over random interleavings: at every 10 ms step at most one node
 * answers each IP, and once the disruption ends every IP with a healthy eligible node is
 * answered within leaseDuration + renewInterval.
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { heartbeatLeaseName } from '../../agent/l2/heartbeat-lease.ts';
import { seeded } from '../support/property.ts';
import { LEASE_MS, RENEW_MS, Sim, STEP_MS } from './support/ownership-sim.ts';

const NUM_RUNS = Number(process.env.L2_PROPERTY_RUNS ?? 40);
const SEED = Number(process.env.L2_PROPERTY_SEED ?? 20261206);

const NODES = ['pi1', 'pi2', 'pi3'];
const IPS = ['192.168.2.200', '192.168.2.201', '192.168.2.202', '192.168.2.203'];
const all = (eligible = NODES) => IPS.map((ip) => ({ ip, eligibleNodes: eligible }));

async function cluster(candidates = all()): Promise<Sim> {
  const sim = new Sim(NODES, candidates);
  for (const n of NODES) sim.start(n);
  expect(await sim.settle(3_000)).toBeGreaterThanOrEqual(0);
  return sim;
}

describe('L2Ownership on a fake clock', () => {
  test('three nodes spread the IPs, one answerer each; renewals cost 2 writes/s per node', async () => {
    const sim = await cluster();
    const spread = new Set(IPS.map((ip) => sim.answerers(ip)[0]));
    expect(spread.size).toBeGreaterThan(1);
    const before = sim.api.writes.length;
    await sim.run(10_000);
    const perNodePerSecond = (sim.api.writes.length - before) / 10 / NODES.length;
    expect(perNodePerSecond).toBeLessThanOrEqual(2);
    expect(perNodePerSecond).toBeGreaterThanOrEqual(1.9);
    expect(sim.violations).toEqual([]);
    const snap = sim.node('pi1').own!.snapshot();
    expect(snap.liveNodes).toEqual(NODES);
    expect(snap.lastError).toBe('');
  });

  test('an owner dies silently: its IPs move within leaseDuration + renewInterval, and only its IPs', async () => {
    const sim = await cluster();
    await sim.run(1_000);
    const victim = sim.answerers(IPS[0]!)[0]!;
    const kept = IPS.filter((ip) => sim.answerers(ip)[0] !== victim).map((ip) => [ip, sim.answerers(ip)[0]]);
    sim.kill(victim);
    const took = await sim.settle(LEASE_MS + RENEW_MS);
    expect(took).toBeGreaterThan(LEASE_MS - RENEW_MS - STEP_MS); // not before its Lease can expire
    expect(took).toBeLessThanOrEqual(LEASE_MS + RENEW_MS);
    for (const [ip, owner] of kept) expect(sim.answerers(ip!)).toEqual([owner!]);
    // it comes back: nothing moves back
    const owners = IPS.map((ip) => sim.answerers(ip));
    sim.start(victim);
    await sim.run(5_000);
    expect(IPS.map((ip) => sim.answerers(ip))).toEqual(owners);
    expect(sim.violations).toEqual([]);
  });

  test('a clean stop hands the IPs over at once', async () => {
    const sim = await cluster();
    await sim.run(1_000);
    const leaving = sim.answerers(IPS[0]!)[0]!;
    const own = sim.node(leaving).own!;
    expect(own.mayAnswer(IPS[0]!)).toBe(true);
    expect(IPS.filter((ip) => own.mayAnswer(ip))).toEqual(
      IPS.filter((ip) => sim.answerers(ip)[0] === leaving),
    );
    await sim.stop(leaving);
    expect(own.mayAnswer(IPS[0]!)).toBe(false);
    expect(sim.api.leases.get(heartbeatLeaseName(leaving))!.spec.holderIdentity).toBe('');
    const took = await sim.settle(LEASE_MS);
    expect(took).toBeGreaterThanOrEqual(0);
    expect(took).toBeLessThan(200);
    expect(sim.violations).toEqual([]);
  });

  test('the API server unreachable from the owner: it stops answering before anyone takes over', async () => {
    const sim = await cluster();
    await sim.run(1_000);
    const cut = sim.answerers(IPS[0]!)[0]!;
    const mine = IPS.filter((ip) => sim.answerers(ip)[0] === cut);
    sim.node(cut).cutApi = true;
    const cutAt = sim.clock.now();
    let stoppedAt = 0;
    let takenAt = 0;
    await sim.run(4_000, () => {
      if (!stoppedAt && sim.node(cut).answering.size === 0) stoppedAt = sim.clock.now();
      if (!takenAt && mine.every((ip) => sim.answerers(ip).length === 1 && sim.answerers(ip)[0] !== cut))
        takenAt = sim.clock.now();
    });
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt - cutAt).toBeLessThanOrEqual(LEASE_MS - RENEW_MS); // renew deadline (1.5 s)
    expect(takenAt).toBeGreaterThan(stoppedAt);
    expect(takenAt - cutAt).toBeLessThanOrEqual(LEASE_MS + RENEW_MS);
    expect(sim.node(cut).own!.snapshot().live).toBe(false);
    // healed: it rejoins without taking anything back
    const owners = IPS.map((ip) => sim.answerers(ip));
    sim.node(cut).cutApi = false;
    await sim.run(5_000);
    expect(IPS.map((ip) => sim.answerers(ip))).toEqual(owners);
    expect(sim.node(cut).own!.snapshot().live).toBe(true);
    expect(sim.violations).toEqual([]);
  });

  test('a stalled watch with working writes: the node stands by, others take its IPs, never two answer', async () => {
    const sim = await cluster();
    await sim.run(1_000);
    const blind = sim.answerers(IPS[0]!)[0]!;
    const mine = IPS.filter((ip) => sim.answerers(ip)[0] === blind);
    sim.node(blind).cutWatch = true;
    const cutAt = sim.clock.now();
    let takenAt = 0;
    await sim.run(2 * LEASE_MS + RENEW_MS, () => {
      if (!takenAt && mine.every((ip) => sim.answerers(ip).length === 1 && sim.answerers(ip)[0] !== blind))
        takenAt = sim.clock.now();
    });
    expect(sim.node(blind).answering.size).toBe(0);
    expect(takenAt).toBeGreaterThan(0);
    // blind after leaseDuration without its own write coming back, then released: others start at once
    expect(takenAt - cutAt).toBeLessThanOrEqual(LEASE_MS + RENEW_MS + 100);
    // its heartbeat is written in the released form while it cannot see
    expect(sim.api.leases.get(heartbeatLeaseName(blind))!.spec.holderIdentity).toBe('');
    sim.node(blind).cutWatch = false;
    await sim.run(3_000);
    expect(sim.api.leases.get(heartbeatLeaseName(blind))!.spec.holderIdentity).toBe(blind);
    expect(sim.violations).toEqual([]);
  });

  test('writes that commit but whose answers are lost: the owner fences, others take over after its last commit', async () => {
    const sim = await cluster();
    await sim.run(1_000);
    const lossy = sim.answerers(IPS[0]!)[0]!;
    const mine = IPS.filter((ip) => sim.answerers(ip)[0] === lossy);
    sim.node(lossy).lossy = true;
    const cutAt = sim.clock.now();
    let takenAt = 0;
    await sim.run(3 * LEASE_MS, () => {
      if (!takenAt && mine.every((ip) => sim.answerers(ip).length === 1 && sim.answerers(ip)[0] !== lossy))
        takenAt = sim.clock.now();
    });
    expect(takenAt).toBeGreaterThan(0);
    // the write in flight at the cut commits but is never answered; the next one conflicts
    // (its resourceVersion is stale) and that answer is lost too: nothing commits after it,
    // so the others count the lease duration from that last commit
    const commits = sim.api.writes.filter((w) => w.name === heartbeatLeaseName(lossy) && w.at >= cutAt);
    expect(commits.length).toBeLessThanOrEqual(1);
    const lastCommit = commits.at(-1)?.at ?? cutAt;
    expect(takenAt - lastCommit).toBeGreaterThanOrEqual(LEASE_MS);
    expect(takenAt - lastCommit).toBeLessThanOrEqual(LEASE_MS + RENEW_MS);
    expect(sim.node(lossy).answering.size).toBe(0);
    expect(sim.violations).toEqual([]);
    // answers arrive again: it rejoins without taking anything back
    const owners = IPS.map((ip) => sim.answerers(ip));
    sim.node(lossy).lossy = false;
    await sim.run(5_000);
    expect(IPS.map((ip) => sim.answerers(ip))).toEqual(owners);
    expect(sim.node(lossy).own!.snapshot().live).toBe(true);
  });

  test('externalTrafficPolicy Local: the IP follows the ready endpoint without two answerers', async () => {
    const ip = IPS[0]!;
    const sim = await cluster([{ ip, eligibleNodes: ['pi1'] }]);
    expect(sim.answerers(ip)).toEqual(['pi1']);
    sim.setCandidates([{ ip, eligibleNodes: ['pi3'] }]);
    expect(sim.answerers(ip)).toEqual([]); // pi1 stops in the same turn
    expect(await sim.settle(1_000)).toBeLessThan(200);
    expect(sim.answerers(ip)).toEqual(['pi3']);
    sim.setCandidates([{ ip, eligibleNodes: ['pi1', 'pi3'] }]);
    await sim.run(2_000);
    expect(sim.answerers(ip)).toEqual(['pi3']);
    const changes = sim.node('pi3').own!.snapshot().ownershipChanges;
    expect(changes).toBe(1);
    expect(sim.violations).toEqual([]);
  });
});

const NODE_OPS = [
  'kill',
  'start',
  'stop',
  'cutApi',
  'healApi',
  'cutWatch',
  'healWatch',
  'lossy',
  'healLossy',
] as const;

type Op =
  | { kind: (typeof NODE_OPS)[number]; node: number; waitMs: number }
  | { kind: 'eligible'; ip: number; mask: number; waitMs: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(...NODE_OPS),
    node: fc.integer({ min: 0, max: NODES.length - 1 }),
    waitMs: fc.integer({ min: 0, max: 300 }).map((x) => x * 10),
  }),
  fc.record({
    kind: fc.constant('eligible' as const),
    ip: fc.integer({ min: 0, max: IPS.length - 1 }),
    mask: fc.integer({ min: 0, max: 7 }),
    waitMs: fc.integer({ min: 0, max: 300 }).map((x) => x * 10),
  }),
);

async function apply(sim: Sim, op: Op): Promise<void> {
  if (op.kind === 'eligible') {
    const eligible = NODES.filter((_, i) => op.mask & (1 << i));
    sim.setCandidates(sim.candidates.map((c, i) => (i === op.ip ? { ...c, eligibleNodes: eligible } : c)));
  } else {
    const name = NODES[op.node]!;
    const n = sim.node(name);
    if (op.kind === 'kill' && !n.dead) sim.kill(name);
    if (op.kind === 'start' && n.dead) sim.start(name);
    if (op.kind === 'stop' && !n.dead) await sim.stop(name);
    if (op.kind === 'cutApi') n.cutApi = true;
    if (op.kind === 'healApi') n.cutApi = false;
    if (op.kind === 'cutWatch') n.cutWatch = true;
    if (op.kind === 'healWatch') n.cutWatch = false;
    if (op.kind === 'lossy') n.lossy = true;
    if (op.kind === 'healLossy') n.lossy = false;
  }
  await sim.run(op.waitMs);
}

describe('L2Ownership property (seeded fast-check)', () => {
  test('any interleaving: never two answerers; every IP answered in time after the disruption and after an owner dies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 1, max: 20 }),
        async (ops, delay) => {
          const sim = new Sim(NODES, all(), delay);
          for (const n of NODES) sim.start(n);
          await sim.run(2_000);
          for (const op of ops) await apply(sim, op);
          // the disruption ends: cuts heal (dead nodes stay dead); a healed node's hung request
          // gives up within its renew deadline, so the clock starts once it did
          for (const n of sim.nodes.values()) {
            n.cutApi = false;
            n.cutWatch = false;
            n.lossy = false;
          }
          await sim.run(LEASE_MS - RENEW_MS);
          const took = await sim.settle(LEASE_MS + RENEW_MS);
          expect(sim.violations).toEqual([]);
          expect(took).toBeGreaterThanOrEqual(0);
          // then a live owner dies silently: its IPs are answered again within lease + renew interval
          const victim = [...sim.nodes.values()].find((n) => !n.dead && n.answering.size > 0);
          if (victim) {
            sim.kill(victim.name);
            expect(await sim.settle(LEASE_MS + RENEW_MS)).toBeGreaterThanOrEqual(0);
            expect(sim.violations).toEqual([]);
          }
        },
      ),
      seeded(NUM_RUNS, SEED),
    );
  }, 120_000);
});
