/**
 * Property tests (fast-check, time-boxed): random sequences of Service create/update/delete
 * and pool edits, checked after every step against an oracle written independently of the
 * allocator (naive containment, ownership and sharing rules).
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { Ipam } from '../../agent/ipam/ipam.ts';
import type { PoolSpec, ServiceResult, ServiceView } from '../../agent/ipam/types.ts';
import { cidrRange, type IP, parseCidr, parseIP } from '../../agent/net/ip.ts';
import { seeded } from '../support/property.ts';

const NUM_RUNS = Number(process.env.IPAM_PROPERTY_RUNS ?? 150);

// ------------------------------------------------------------------ generators

const BLOCKS = [
  '10.0.0.0/29',
  '10.0.0.0/30',
  '10.0.0.4/30',
  '10.0.0.8/31',
  '10.0.0.12/32',
  '10.0.0.2-10.0.0.6',
  'fd00::/126',
  'fd00::4/127',
];
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.5', '10.0.0.12', '10.0.0.0', '192.0.2.1', 'fd00::1', 'fd00::5'];
const POOLS = ['a', 'b', 'c'];
const KEYS = ['ns1/s0', 'ns1/s1', 'ns1/s2', 'ns2/s0', 'ns2/s1', 'ns2/s2'];

const poolArb = fc
  .record({
    name: fc.constantFrom(...POOLS),
    creationOrder: fc.constantFrom('2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z', '2026-01-01T00:00:03Z'),
    blocks: fc
      .uniqueArray(fc.constantFrom(...BLOCKS), { minLength: 1, maxLength: 3 })
      .map((bs) =>
        bs.map((b) =>
          b.includes('-')
            ? { start: b.split('-')[0] as string, stop: b.split('-')[1] as string }
            : { cidr: b },
        ),
      ),
    disabled: fc.constantFrom(false, false, false, false, true),
    allowFirstLastIPs: fc.boolean(),
    autoAssign: fc.constantFrom(true, true, true, true, false),
    serviceSelector: fc.option(
      fc.constantFrom(
        { matchLabels: { tier: 'x' } },
        { matchExpressions: [{ key: 'tier', operator: 'NotIn' as const, values: ['y'] }] },
      ),
      { nil: undefined },
    ),
  })
  .map((p) => {
    const { serviceSelector, ...rest } = p;
    return (serviceSelector ? { ...rest, serviceSelector } : rest) as PoolSpec;
  });

const svcArb = fc
  .record({
    key: fc.constantFrom(...KEYS),
    tier: fc.constantFrom('x', 'y', undefined),
    sharing: fc.constantFrom(undefined, 'k', 'k2'),
    cross: fc.constantFrom(undefined, '*'),
    ips: fc.option(fc.uniqueArray(fc.constantFrom(...IPS), { minLength: 1, maxLength: 2 }), {
      nil: undefined,
    }),
    pool: fc.constantFrom(undefined, undefined, 'a'),
    ports: fc.uniqueArray(fc.constantFrom(80, 443, 53), { minLength: 1, maxLength: 2 }),
    local: fc.boolean(),
    pods: fc.constantFrom('p', 'q'),
    policy: fc.constantFrom('SingleStack', 'SingleStack', 'PreferDualStack', 'RequireDualStack'),
    v6first: fc.boolean(),
    created: fc.integer({ min: 0, max: 5 }),
  })
  .map((r): ServiceView => {
    const [namespace, name] = r.key.split('/') as [string, string];
    const annotations: Record<string, string> = {};
    if (r.sharing) annotations['edgelb.io/sharing-key'] = r.sharing;
    if (r.cross) annotations['lbipam.cilium.io/sharing-cross-namespace'] = r.cross;
    if (r.ips) annotations['metallb.io/loadBalancerIPs'] = r.ips.join(',');
    if (r.pool) annotations['edgelb.io/pool'] = r.pool;
    return {
      key: r.key,
      namespace,
      name,
      labels: r.tier ? { tier: r.tier } : {},
      annotations,
      ipFamilies: r.v6first ? ['IPv6', 'IPv4'] : ['IPv4', 'IPv6'],
      ipFamilyPolicy: r.policy as ServiceView['ipFamilyPolicy'],
      ports: r.ports.map((port) => ({ port, protocol: 'TCP' })),
      externalTrafficPolicy: r.local ? 'Local' : 'Cluster',
      podSelector: { app: r.pods },
      creationOrder: `2026-02-01T00:00:0${r.created}Z`,
      statusIPs: [],
    };
  });

type Op =
  | { upsertPool: PoolSpec }
  | { deletePool: string }
  | { upsertSvc: ServiceView }
  | { deleteSvc: string };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: poolArb.map((p) => ({ upsertPool: p })) },
  { weight: 1, arbitrary: fc.constantFrom(...POOLS).map((n) => ({ deletePool: n })) },
  { weight: 5, arbitrary: svcArb.map((s) => ({ upsertSvc: s })) },
  { weight: 2, arbitrary: fc.constantFrom(...KEYS).map((k) => ({ deleteSvc: k })) },
);

// ------------------------------------------------------------------ oracle

const ip = (t: string): IP => {
  const r = parseIP(t);
  if (!r.ok) throw new Error(t);
  return r.value;
};

function poolHas(p: PoolSpec, a: IP): boolean {
  return p.blocks.some((b) => {
    if ('cidr' in b) {
      const c = parseCidr(b.cidr);
      if (!c.ok || c.value.family !== a.family) return false;
      let { first, last } = cidrRange(c.value);
      if (!p.allowFirstLastIPs && a.family === 4 && c.value.prefixLength < 31) {
        first += 1n;
        last -= 1n;
      }
      // IPv6 subnet-router anycast (RFC 4291 §2.6.1): a first address whose low 64 bits are zero, except on a /127 or /128.
      if (!p.allowFirstLastIPs && a.family === 6 && c.value.prefixLength < 127 && first % 2n ** 64n === 0n)
        first += 1n;
      return a.value >= first && a.value <= last;
    }
    const s = ip(b.start);
    const e = ip(b.stop);
    return s.family === a.family && a.value >= s.value && a.value <= e.value;
  });
}

/** The oldest pool containing the address. */
function owner(pools: PoolSpec[], a: IP): PoolSpec | undefined {
  return [...pools]
    .sort((x, y) =>
      x.creationOrder === y.creationOrder
        ? x.name < y.name
          ? -1
          : 1
        : x.creationOrder < y.creationOrder
          ? -1
          : 1,
    )
    .find((p) => poolHas(p, a));
}

function selects(p: PoolSpec, s: ServiceView): boolean {
  const sel = p.serviceSelector;
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (s.labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? [])
    if (e.operator === 'NotIn' && e.values?.includes(s.labels[e.key] ?? '\u0000')) return false;
  return true;
}

/** Is `a` a valid address for `s` under `pools` (ignoring other Services)? */
function validFor(pools: PoolSpec[], s: ServiceView, a: string): boolean {
  const o = owner(pools, ip(a));
  if (!o || !selects(o, s)) return false;
  const want = s.annotations['edgelb.io/pool'];
  if (want && o.name !== want) return false;
  const req = s.annotations['metallb.io/loadBalancerIPs'];
  if (req && !req.split(',').includes(a)) return false;
  return true;
}

function compatible(a: ServiceView, b: ServiceView): boolean {
  const ka = a.annotations['edgelb.io/sharing-key'];
  if (!ka || ka !== b.annotations['edgelb.io/sharing-key']) return false;
  if (a.namespace !== b.namespace) {
    if (a.annotations['lbipam.cilium.io/sharing-cross-namespace'] !== '*') return false;
    if (b.annotations['lbipam.cilium.io/sharing-cross-namespace'] !== '*') return false;
  }
  if (a.ports.some((p) => b.ports.some((q) => q.port === p.port))) return false;
  if (a.externalTrafficPolicy !== b.externalTrafficPolicy) return false;
  if (a.externalTrafficPolicy === 'Local' && a.podSelector.app !== b.podSelector.app) return false;
  return true;
}

const ipsOf = (r: ServiceResult | undefined) => (r?.ok ? r.ips : []);

// ------------------------------------------------------------------ runner

function check(ops: Op[], order: number[]) {
  const ipam = new Ipam();
  const pools = new Map<string, PoolSpec>();
  const svcs = new Map<string, ServiceView>();
  for (const op of ops) {
    const before = new Map([...svcs.keys()].map((k) => [k, ipsOf(ipam.result(k))]));
    let touched: string | undefined;
    if ('upsertPool' in op) {
      pools.set(op.upsertPool.name, op.upsertPool);
      ipam.upsertPool(op.upsertPool);
    } else if ('deletePool' in op) {
      pools.delete(op.deletePool);
      ipam.deletePool(op.deletePool);
    } else if ('upsertSvc' in op) {
      touched = op.upsertSvc.key;
      svcs.set(op.upsertSvc.key, op.upsertSvc);
      ipam.upsertService(op.upsertSvc);
    } else {
      touched = op.deleteSvc;
      svcs.delete(op.deleteSvc);
      ipam.deleteService(op.deleteSvc);
    }
    const poolList = [...pools.values()];
    const holders = new Map<string, ServiceView[]>();
    for (const s of svcs.values()) {
      const got = ipsOf(ipam.result(s.key));
      // Every IP lies in a pool that is eligible for the Service.
      for (const a of got) {
        expect({ svc: s.key, ip: a, valid: validFor(poolList, s, a) }).toEqual({
          svc: s.key,
          ip: a,
          valid: true,
        });
        holders.set(a, [...(holders.get(a) ?? []), s]);
      }
      // A Service keeps its IPs while they stay valid (unless this step changed the Service itself).
      const had = before.get(s.key) ?? [];
      if (s.key !== touched && had.every((a) => validFor(poolList, s, a)))
        for (const a of had)
          expect({ svc: s.key, kept: a, now: got }).toEqual({
            svc: s.key,
            kept: a,
            now: expect.arrayContaining([a]),
          });
    }
    // Each pool's `used` counts the distinct addresses held in it (the oldest pool owns an address).
    const usedBy = new Map<string, number>();
    for (const a of holders.keys()) {
      const o = owner(poolList, ip(a))?.name ?? '(none)';
      usedBy.set(o, (usedBy.get(o) ?? 0) + 1);
    }
    expect(Object.fromEntries(ipam.pools().map((p) => [p.name, p.used]))).toEqual(
      Object.fromEntries(poolList.map((p) => [p.name, String(usedBy.get(p.name) ?? 0)])),
    );
    // No IP is held by two incompatible Services.
    for (const [a, hs] of holders)
      for (const x of hs)
        for (const y of hs)
          if (x !== y)
            expect({ ip: a, pair: [x.key, y.key], compatible: compatible(x, y) }).toEqual({
              ip: a,
              pair: [x.key, y.key],
              compatible: true,
            });
  }
  // Restoring from the produced statuses, Services and pools in any order, gives the same allocations.
  const views = [...svcs.values()].map((s) => ({ ...s, statusIPs: ipsOf(ipam.result(s.key)) }));
  const shuffled = views
    .map((v, i) => ({ v, o: order[i % order.length] ?? 0 }))
    .sort((x, y) => x.o - y.o)
    .map((x) => x.v);
  const fresh = new Ipam();
  fresh.restore([...pools.values()].reverse(), shuffled);
  const summary = (i: Ipam) =>
    Object.fromEntries([...svcs.keys()].sort().map((k) => [k, ipsOf(i.result(k))]));
  expect(summary(fresh)).toEqual(summary(ipam));
}

describe('IPAM properties', () => {
  test('random sequences keep every invariant, and restore reproduces the allocations', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }),
        fc.array(fc.integer(), { minLength: 6, maxLength: 6 }),
        check,
      ),
      seeded(NUM_RUNS),
    );
  });
});
