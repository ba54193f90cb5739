/**
 * The pure L2 ownership rules: rendezvous spread, sticky claims, partitions resolving to one
 * claimant, ETP=Local eligibility moves, the answer gate; liveness on the observer's clock with
 * the freshness guard; the heartbeat Lease encoding.
 */
import { describe, expect, test } from 'bun:test';
import { heartbeatLease, heartbeatView, parseOwned } from '../../agent/l2/heartbeat-lease.ts';
import { isLive, nextExpiry, observeHeartbeats } from '../../agent/l2/liveness.ts';
import {
  answerable,
  claimsOf,
  decideOwners,
  type LiveNode,
  type OwnershipCandidate,
  rendezvousScore,
  rendezvousWinner,
} from '../../agent/l2/ownership.ts';

const NODES = ['pi1', 'pi2', 'pi3'];

function live(claims: Record<string, string[]>): Map<string, LiveNode> {
  return new Map(Object.entries(claims).map(([n, ips]) => [n, { owned: new Set(ips) }]));
}

function ips(n: number, eligible: readonly string[] = NODES): OwnershipCandidate[] {
  return Array.from({ length: n }, (_, i) => ({ ip: `192.168.2.${200 + i}`, eligibleNodes: eligible }));
}

/** Every node applies its own claims until they stop changing (the claims are what Leases carry). */
function settle(
  cands: OwnershipCandidate[],
  nodes: string[],
  start: Record<string, string[]> = {},
): Record<string, string[]> {
  let claims: Record<string, string[]> = Object.fromEntries(nodes.map((n) => [n, start[n] ?? []]));
  for (let round = 0; round < 10; round++) {
    const next: Record<string, string[]> = {};
    for (const n of nodes) {
      next[n] = [...claimsOf(decideOwners({ ips: cands, live: live(claims) }), n)].sort();
    }
    if (JSON.stringify(next) === JSON.stringify(claims)) return claims;
    claims = next;
  }
  throw new Error('claims did not settle');
}

function ownerOf(claims: Record<string, string[]>, ip: string): string[] {
  return Object.keys(claims).filter((n) => claims[n]!.includes(ip));
}

describe('rendezvous hashing', () => {
  test('deterministic, and spreads IPs evenly over nodes', () => {
    expect(rendezvousScore('pi1', '192.168.2.200')).toBe(rendezvousScore('pi1', '192.168.2.200'));
    expect(rendezvousScore('pi1', '192.168.2.200')).not.toBe(rendezvousScore('pi1', '192.168.2.201'));
    const counts = new Map<string, number>();
    const nodes = ['n0', 'n1', 'n2', 'n3', 'n4'];
    for (let i = 0; i < 5000; i++) {
      const w = rendezvousWinner(nodes, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`)!;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    for (const n of nodes) expect(Math.abs((counts.get(n) ?? 0) - 1000)).toBeLessThan(120);
  });

  test('consecutive IPs do not cluster on one node', () => {
    const winners = new Set(ips(4).map((c) => rendezvousWinner(NODES, c.ip)));
    expect(winners.size).toBeGreaterThan(1);
  });

  test('removing a node moves only the IPs it won', () => {
    const all = ips(200).map((c) => c.ip);
    const before = new Map(all.map((ip) => [ip, rendezvousWinner(NODES, ip)]));
    for (const ip of all) {
      const after = rendezvousWinner(['pi1', 'pi3'], ip);
      if (before.get(ip) !== 'pi2') expect(after).toBe(before.get(ip));
    }
  });

  test('no nodes, no winner', () => {
    expect(rendezvousWinner([], '192.168.2.200')).toBeUndefined();
  });
});

describe('decideOwners: a story on three nodes', () => {
  const cands = ips(6);

  test('nodes join, die and come back; a returning node takes nothing from a live owner', () => {
    // pi1 alone: it takes everything
    let claims = settle(cands, ['pi1']);
    expect(claims.pi1).toHaveLength(6);
    // pi2 and pi3 join: sticky, nothing moves
    claims = settle(cands, NODES, claims);
    expect(claims.pi1).toHaveLength(6);
    expect(claims.pi2).toEqual([]);
    // pi1 dies: its IPs spread over pi2 and pi3 by rendezvous
    const survivors = { pi2: claims.pi2!, pi3: claims.pi3! };
    claims = settle(cands, ['pi2', 'pi3'], survivors);
    for (const c of cands) {
      expect(ownerOf(claims, c.ip)).toEqual([rendezvousWinner(['pi2', 'pi3'], c.ip)!]);
    }
    expect(claims.pi2!.length + claims.pi3!.length).toBe(6);
    // pi1 comes back (a fresh process claims nothing): no take-back
    const back = settle(cands, NODES, { ...claims, pi1: [] });
    expect(back).toEqual({ ...claims, pi1: [] });
  });

  test('a new IP goes to the rendezvous winner among live eligible nodes', () => {
    const claims = settle(cands, NODES);
    for (const c of cands) expect(ownerOf(claims, c.ip)).toEqual([rendezvousWinner(NODES, c.ip)!]);
  });

  test('no live eligible node: no owner', () => {
    const owners = decideOwners({ ips: ips(1, ['pi9']), live: live({ pi1: [] }) });
    expect(owners.get('192.168.2.200')).toBeUndefined();
  });
});

describe('decideOwners: partitions', () => {
  const ip = '192.168.2.200';
  const cand = [{ ip, eligibleNodes: NODES }];

  test('two claimants after a partition resolve to the rendezvous winner among them', () => {
    const w = rendezvousWinner(['pi1', 'pi2'], ip)!;
    const owners = decideOwners({ ips: cand, live: live({ pi1: [ip], pi2: [ip], pi3: [] }) });
    expect(owners.get(ip)).toBe(w);
    // every node computes the same
    for (const self of NODES) expect(claimsOf(owners, self).has(ip)).toBe(self === w);
  });

  test('a claimant that is not live does not count', () => {
    const owners = decideOwners({ ips: cand, live: live({ pi2: [], pi3: [] }) });
    expect(owners.get(ip)).toBe(rendezvousWinner(['pi2', 'pi3'], ip));
  });

  test('never two answerers: the newcomer waits until the old claim is gone', () => {
    // pi1 answers; pi2 decided to take it (pi1 looked dead to it), claimed, and saw its write
    const others = live({ pi1: [ip] });
    expect([
      ...answerable({ self: 'pi2', claims: new Set([ip]), confirmed: new Set([ip]), live: others }),
    ]).toEqual([]);
    // pi1's claim dropped (or pi1 judged dead, so absent from live): pi2 answers
    expect([
      ...answerable({
        self: 'pi2',
        claims: new Set([ip]),
        confirmed: new Set([ip]),
        live: live({ pi1: [] }),
      }),
    ]).toEqual([ip]);
    // not confirmed through the watch yet: not answered
    expect(
      answerable({ self: 'pi2', claims: new Set([ip]), confirmed: new Set(), live: new Map() }).size,
    ).toBe(0);
  });

  test('an ineligible claimant still blocks answering until it drops its claim', () => {
    const others = live({ pi1: [ip] });
    const owners = decideOwners({
      ips: [{ ip, eligibleNodes: ['pi2'] }],
      live: new Map([...others, ['pi2', { owned: new Set<string>() }]]),
    });
    expect(owners.get(ip)).toBe('pi2');
    expect(
      answerable({ self: 'pi2', claims: new Set([ip]), confirmed: new Set([ip]), live: others }).size,
    ).toBe(0);
  });
});

describe('decideOwners: externalTrafficPolicy Local', () => {
  test('the IP follows the ready endpoint, and stays when the endpoint comes back elsewhere', () => {
    const ip = '192.168.2.210';
    let claims = settle([{ ip, eligibleNodes: ['pi1'] }], NODES);
    expect(ownerOf(claims, ip)).toEqual(['pi1']);
    claims = settle([{ ip, eligibleNodes: ['pi3'] }], NODES, claims);
    expect(ownerOf(claims, ip)).toEqual(['pi3']);
    // endpoints on pi1 and pi3: pi3 keeps it (sticky)
    claims = settle([{ ip, eligibleNodes: ['pi1', 'pi3'] }], NODES, claims);
    expect(ownerOf(claims, ip)).toEqual(['pi3']);
    // no ready endpoint anywhere: nobody
    claims = settle([{ ip, eligibleNodes: [] }], NODES, claims);
    expect(ownerOf(claims, ip)).toEqual([]);
  });
});

describe('decideOwners: dual-stack groups move together', () => {
  test('both IPs of a Service get one owner, keyed by its first IP', () => {
    const g = [
      { ip: '192.168.2.220', eligibleNodes: NODES, group: 'default/web' },
      { ip: 'fd00::220', eligibleNodes: NODES, group: 'default/web' },
    ];
    const owners = decideOwners({ ips: g, live: live({ pi1: [], pi2: [], pi3: [] }) });
    expect(owners.get('fd00::220')).toBe(owners.get('192.168.2.220'));
    expect(owners.get('192.168.2.220')).toBe(rendezvousWinner(NODES, '192.168.2.220'));
    // a claimant of either IP keeps both
    const sticky = decideOwners({ ips: g, live: live({ pi1: [], pi2: ['fd00::220'], pi3: [] }) });
    expect([sticky.get('192.168.2.220'), sticky.get('fd00::220')]).toEqual(['pi2', 'pi2']);
    // only nodes eligible for every IP of the group count
    const partial = decideOwners({
      ips: [g[0]!, { ...g[1]!, eligibleNodes: ['pi3'] }],
      live: live({ pi1: [], pi2: [], pi3: [] }),
    });
    expect(partial.get('192.168.2.220')).toBe('pi3');
  });
});

describe('liveness on the observer clock', () => {
  const view = (renew: string, holder = 'pi1') => ({
    node: 'pi1',
    holder,
    durationMs: 2000,
    owned: new Set(['192.168.2.200']),
    raw: JSON.stringify([holder, renew]),
  });
  const fresh = (horizon: number) => ({ horizon, renewDeadlineMs: 1500 });

  test('expiry counts from when the observer saw the change, not from renewTime', () => {
    let seen = observeHeartbeats(new Map(), [view('t1')], 10_000);
    const s = () => seen.get('pi1')!;
    expect(isLive(s(), 11_999, fresh(20_000))).toBe(true);
    expect(isLive(s(), 12_000, fresh(20_000))).toBe(false);
    // the same record again does not restart the clock; a renewal does
    seen = observeHeartbeats(seen, [view('t1')], 11_000);
    expect(s().changedAt).toBe(10_000);
    seen = observeHeartbeats(seen, [view('t2')], 11_500);
    expect(isLive(s(), 13_000, fresh(20_000))).toBe(true);
    expect(nextExpiry(seen.values(), 12_000)).toBe(13_500);
  });

  test('an expired node stays live while our own watch may be missing its renewals', () => {
    const seen = observeHeartbeats(new Map(), [view('t1')], 10_000);
    // our newest write seen back started before changedAt + renewDeadline: not provably dead
    expect(isLive(seen.get('pi1')!, 30_000, fresh(11_499))).toBe(true);
    expect(isLive(seen.get('pi1')!, 30_000, fresh(11_500))).toBe(false);
    expect(isLive(seen.get('pi1')!, 30_000, fresh(Number.NEGATIVE_INFINITY))).toBe(true);
  });

  test('a released Lease is dead at once', () => {
    const seen = observeHeartbeats(new Map(), [view('t3', '')], 10_000);
    expect(isLive(seen.get('pi1')!, 10_000, fresh(Number.NEGATIVE_INFINITY))).toBe(false);
    expect(nextExpiry(seen.values(), 10_000)).toBeUndefined();
  });

  test('a deleted Lease keeps its claims until it expires, then is forgotten', () => {
    let seen = observeHeartbeats(new Map(), [view('t1')], 0);
    seen = observeHeartbeats(seen, [], 1_000);
    const s = seen.get('pi1')!;
    expect([s.gone, s.changedAt, [...s.view.owned]]).toEqual([true, 1_000, ['192.168.2.200']]);
    expect(isLive(s, 2_999, fresh(10_000))).toBe(true);
    expect(isLive(s, 3_000, fresh(10_000))).toBe(false);
    expect(observeHeartbeats(seen, [], 2_000).get('pi1')).toBe(s);
    expect(observeHeartbeats(seen, [], 21_000).size).toBe(0);
    // recreated: a change again
    expect(observeHeartbeats(seen, [view('t1')], 5_000).get('pi1')!.gone).toBeUndefined();
  });
});

describe('heartbeat Lease', () => {
  test('claims are sorted and comma-separated; the view reads them back', () => {
    const l = heartbeatLease(undefined, 'kube-system', {
      node: 'pi1',
      now: Date.UTC(2026, 0, 1),
      durationSeconds: 2,
      owned: ['192.168.2.201', '192.168.2.200', 'fd00::1'],
      acquireTime: '2026-01-01T00:00:00.000000Z',
    });
    expect(l.metadata.name).toBe('edgelb-node-pi1');
    expect(l.metadata.labels).toEqual({ 'edgelb.io/l2-heartbeat': 'true' });
    expect(l.metadata.annotations?.['edgelb.io/l2-owned']).toBe('192.168.2.200,192.168.2.201,fd00::1');
    expect(l.spec.renewTime).toBe('2026-01-01T00:00:00.000000Z');
    // A new Lease starts with no transitions; a renewal keeps the count it read.
    expect(l.spec.leaseTransitions).toBe(0);
    const renewed = heartbeatLease({ ...l, spec: { ...l.spec, leaseTransitions: 4 } }, 'kube-system', {
      node: 'pi1',
      now: Date.UTC(2026, 0, 1, 0, 0, 1),
      durationSeconds: 2,
      owned: [],
      acquireTime: '2026-01-01T00:00:00.000000Z',
    });
    expect(renewed.spec.leaseTransitions).toBe(4);
    const v = heartbeatView(l)!;
    expect([v.node, v.holder, v.durationMs, [...v.owned]]).toEqual([
      'pi1',
      'pi1',
      2000,
      ['192.168.2.200', '192.168.2.201', 'fd00::1'],
    ]);
  });

  test('the released form has no holder, no claims and 1 s', () => {
    const l = heartbeatLease(undefined, 'ns', {
      node: 'pi1',
      now: 0,
      durationSeconds: 2,
      owned: ['192.168.2.200'],
      acquireTime: '',
      release: true,
    });
    expect([
      l.spec.holderIdentity,
      l.spec.leaseDurationSeconds,
      l.metadata.annotations?.['edgelb.io/l2-owned'],
    ]).toEqual(['', 1, '']);
    expect(parseOwned('')).toEqual(new Set());
  });

  test('a Lease without the prefix is not a heartbeat', () => {
    const l = heartbeatLease(undefined, 'ns', {
      node: 'x',
      now: 0,
      durationSeconds: 2,
      owned: [],
      acquireTime: '',
    });
    expect(heartbeatView({ ...l, metadata: { ...l.metadata, name: 'edgelb' } })).toBeUndefined();
  });
});
