/**
 * Property tests for held addresses (issue 21), seeded: random pools with a release delay,
 * Services (automatic or asking for an address) created and deleted, the clock advanced, and
 * leader changes (restore from Service status and the pools' held lists). After every step:
 * no address has two Services, a held address is in no result and in a pool, no hold outlives
 * its expiry, and a restore keeps every allocation and every hold.
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { Ipam } from '../../agent/ipam/ipam.ts';
import type { HoldRecord, PoolSpec, ServiceView } from '../../agent/ipam/types.ts';
import { seeded } from '../support/property.ts';
import { pool, svc } from './builders.ts';

const KEYS = ['s0', 's1', 's2', 's3', 's4', 's5'];
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.5'];

type Op =
  | { op: 'pool'; cidr: string; delay: number }
  | { op: 'svc'; key: string; ip?: string }
  | { op: 'delete'; key: string }
  | { op: 'advance'; seconds: number }
  | { op: 'leader' };

const poolOp = fc.record({
  op: fc.constant('pool' as const),
  cidr: fc.constantFrom('10.0.0.0/29', '10.0.0.0/30', '10.0.0.0/31'),
  delay: fc.constantFrom(0, 60, 600),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: poolOp },
  {
    weight: 4,
    arbitrary: fc.record(
      { op: fc.constant('svc' as const), key: fc.constantFrom(...KEYS), ip: fc.constantFrom(...IPS) },
      { requiredKeys: ['op', 'key'] },
    ),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('advance' as const), seconds: fc.constantFrom(10, 59, 61, 700) }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'leader' as const }) },
);

function check(ipam: Ipam, now: number, live: Map<string, ServiceView>): void {
  const owner = new Map<string, string>();
  for (const r of ipam.results()) {
    if (!r.ok) continue;
    for (const ip of r.ips) {
      expect({ ip, second: r.key, first: owner.get(ip) }).toEqual({ ip, second: r.key, first: undefined });
      owner.set(ip, r.key);
    }
  }
  for (const h of ipam.holds()) {
    expect({ held: h.ip, by: owner.get(h.ip) }).toEqual({ held: h.ip, by: undefined });
    expect(Date.parse(h.expires)).toBeGreaterThan(now - 1000);
    expect(live.has(`${h.namespace}/${h.name}`) && ipam.result(`${h.namespace}/${h.name}`)?.ok).not.toBe(
      true,
    );
  }
}

describe('held addresses: properties', () => {
  let steps = 0;
  let held = 0;
  test('no double owner, holds never in results, restore keeps allocations and holds', () => {
    fc.assert(
      fc.property(
        poolOp.filter((p) => p.delay > 0),
        fc.array(opArb, { minLength: 10, maxLength: 40 }),
        (first, rest) => {
          const ops: Op[] = [first, ...rest];
          let now = Date.UTC(2026, 5, 1);
          const clock = () => now;
          let ipam = new Ipam({ now: clock });
          let spec: PoolSpec | undefined;
          const live = new Map<string, ServiceView>();
          let n = 0;
          for (const o of ops) {
            if (o.op === 'pool') {
              spec = {
                ...pool('p', [o.cidr], { releaseDelaySeconds: o.delay }),
                creationOrder: '2026-01-01T00:00:00Z',
              };
              ipam.upsertPool(spec);
            } else if (o.op === 'svc') {
              const v = svc(o.key, {
                ...(o.ip ? { annotations: { 'edgelb.io/ips': o.ip } } : {}),
                creationOrder: `2026-01-01T00:00:${String(10 + n++).padStart(2, '0')}Z`,
              });
              live.set(v.key, v);
              ipam.upsertService(v);
            } else if (o.op === 'delete') {
              const k = `default/${o.key}`;
              if (live.delete(k)) ipam.deleteService(k);
            } else if (o.op === 'advance') {
              now += o.seconds * 1000;
              ipam.expireHolds();
            } else {
              const views = [...live.values()].map((v) => {
                const r = ipam.result(v.key);
                return { ...v, statusIPs: r?.ok ? r.ips : [] };
              });
              const holds: HoldRecord[] = JSON.parse(JSON.stringify(ipam.holds()));
              const before = new Map(views.map((v) => [v.key, v.statusIPs.join()]));
              const fresh = new Ipam({ now: clock });
              fresh.restore(spec ? [spec] : [], views, holds);
              for (const v of views)
                if (v.statusIPs.length > 0) {
                  const r = fresh.result(v.key);
                  expect({ key: v.key, ips: r?.ok ? r.ips.join() : '' }).toEqual({
                    key: v.key,
                    ips: before.get(v.key) ?? '',
                  });
                }
              const expiring = (h: HoldRecord) => `${h.ip}=${h.namespace}/${h.name}`;
              // Holds whose expiry falls in the same second may go; every other one survives.
              const kept = holds.filter((h) => Date.parse(h.expires) > now).map(expiring);
              expect(fresh.holds().map(expiring)).toEqual(kept);
              ipam = fresh;
            }
            check(ipam, now, live);
            steps++;
            held += ipam.holds().length > 0 ? 1 : 0;
          }
        },
      ),
      seeded(200),
    );
    console.log(`holds properties: ${steps} steps, ${held} with holds`);
    // The runs really exercise holds (not only empty pools).
    expect(steps).toBeGreaterThan(2000);
    expect(held).toBeGreaterThan(300);
  });
});
