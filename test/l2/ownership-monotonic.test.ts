/**
 * L2 ownership on monotonic time: a step of one node's wall clock (NTP at boot, `date -s`) by an
 * hour either way neither moves an IP nor leaves it unanswered in steady state, and a dead or
 * cut-off owner's IPs move on the observers' monotonic clock: not before its fence, not an hour
 * late. Another node's renewTime (its own wall clock) is only watched for change, as client-go
 * does, never compared with ours.
 */
import { describe, expect, test } from 'bun:test';
import { LEASE_MS, RENEW_MS, Sim, STEP_MS } from './support/ownership-sim.ts';

const HOUR = 3_600_000;
const NODES = ['pi1', 'pi2', 'pi3'];
const IPS = ['192.168.2.200', '192.168.2.201', '192.168.2.202', '192.168.2.203'];

async function cluster(): Promise<Sim> {
  const sim = new Sim(
    NODES,
    IPS.map((ip) => ({ ip, eligibleNodes: NODES })),
  );
  for (const n of NODES) sim.start(n);
  expect(await sim.settle(3_000)).toBeGreaterThanOrEqual(0);
  await sim.run(1_000);
  return sim;
}

const owners = (sim: Sim) => IPS.map((ip) => sim.answerers(ip));

describe('L2 ownership across wall-clock steps (monotonic time)', () => {
  for (const jump of [HOUR, -HOUR]) {
    const h = jump / HOUR;
    test(`steady state: a step of ${h} h on an owner, then on the others, moves nothing and silences nothing`, async () => {
      const sim = await cluster();
      const before = owners(sim);
      const changes = sim.history.length;
      let unanswered = 0;
      const check = () => {
        unanswered += IPS.filter((ip) => sim.answerers(ip).length !== 1).length;
      };
      const owner = sim.answerers(IPS[0]!)[0]!;
      sim.jump(owner, jump);
      await sim.run(3 * LEASE_MS, check);
      for (const n of NODES) if (n !== owner) sim.jump(n, jump);
      await sim.run(3 * LEASE_MS, check);
      expect(unanswered).toBe(0);
      expect(owners(sim)).toEqual(before);
      expect(sim.history.length).toBe(changes);
      expect(sim.violations).toEqual([]);
      for (const n of NODES) expect(sim.node(n).own!.snapshot().liveNodes).toEqual(NODES);
      // the shown fence time follows the node's own wall clock
      const fenceIn = sim.node(owner).own!.snapshot().fenceAt - sim.clockOf(owner).now();
      expect(fenceIn).toBeGreaterThan(0);
      expect(fenceIn).toBeLessThanOrEqual(LEASE_MS - RENEW_MS);
    });

    test(`an owner dies, then the survivors' clocks step ${h} h: its IPs move on time, and only its IPs`, async () => {
      const sim = await cluster();
      const victim = sim.answerers(IPS[0]!)[0]!;
      const kept = IPS.filter((ip) => sim.answerers(ip)[0] !== victim).map((ip) => [ip, sim.answerers(ip)]);
      sim.kill(victim);
      // the survivors have seen its last renewal before their clocks step
      await sim.run(300);
      for (const n of NODES) if (n !== victim) sim.jump(n, jump);
      const took = await sim.settle(LEASE_MS + RENEW_MS);
      expect(took + 300).toBeGreaterThan(LEASE_MS - RENEW_MS - STEP_MS); // not before its Lease can expire
      expect(took).toBeGreaterThanOrEqual(0); // not an hour late
      expect(took + 300).toBeLessThanOrEqual(LEASE_MS + RENEW_MS);
      for (const [ip, owner] of kept) expect(sim.answerers(ip as string)).toEqual(owner as string[]);
      expect(sim.violations).toEqual([]);
    });

    test(`an owner cut off from the API while the others' clocks step ${h} h: it stops before anyone takes over`, async () => {
      const sim = await cluster();
      const cut = sim.answerers(IPS[0]!)[0]!;
      const mine = IPS.filter((ip) => sim.answerers(ip)[0] === cut);
      sim.node(cut).cutApi = true;
      const cutAt = sim.clock.monotonic();
      // the others have seen its last renewal; their steps land before its fence
      await sim.run(600);
      for (const n of NODES) if (n !== cut) sim.jump(n, jump);
      let stoppedAt = 0;
      let takenAt = 0;
      await sim.run(4_000, () => {
        const now = sim.clock.monotonic();
        if (!stoppedAt && sim.node(cut).answering.size === 0) stoppedAt = now;
        if (!takenAt && mine.every((ip) => sim.answerers(ip).length === 1 && sim.answerers(ip)[0] !== cut))
          takenAt = now;
      });
      expect(sim.violations).toEqual([]);
      expect(stoppedAt).toBeGreaterThan(0);
      expect(stoppedAt - cutAt).toBeLessThanOrEqual(LEASE_MS - RENEW_MS);
      expect(takenAt).toBeGreaterThan(stoppedAt);
      expect(takenAt - cutAt).toBeLessThanOrEqual(LEASE_MS + RENEW_MS);
    });
  }
});
