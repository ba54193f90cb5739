/**
 * Story tables (MetalLB allocator_test.go TestAssignment style): ordered steps against one
 * allocator, each with the IPs or reason every named Service must have afterwards.
 */
import { describe, expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import type { PoolSpec, ServiceView } from '../../agent/ipam/types.ts';
import { poolResult } from '../../agent/reconcile/plan/pool-conditions.ts';
import { pool, summary, svc, type Want } from './builders.ts';

type Step =
  | { name: string; pool: PoolSpec; want?: Record<string, Want> }
  | { name: string; deletePool: string; want?: Record<string, Want> }
  | { name: string; svc: ServiceView; want?: Record<string, Want> }
  | { name: string; deleteSvc: string; want?: Record<string, Want> }
  | { name: string; restart: true; want?: Record<string, Want> };

function run(steps: Step[]): Ipam {
  let ipam = new Ipam();
  const pools = new Map<string, PoolSpec>();
  const svcs = new Map<string, ServiceView>();
  for (const step of steps) {
    if ('pool' in step) {
      pools.set(step.pool.name, step.pool);
      ipam.upsertPool(step.pool);
    } else if ('deletePool' in step) {
      pools.delete(step.deletePool);
      ipam.deletePool(step.deletePool);
    } else if ('svc' in step) {
      svcs.set(step.svc.key, step.svc);
      ipam.upsertService(step.svc);
    } else if ('deleteSvc' in step) {
      svcs.delete(step.deleteSvc);
      ipam.deleteService(step.deleteSvc);
    } else {
      // A new leader: only what status says survives.
      const withStatus = [...svcs.values()].map((s) => {
        const r = ipam.result(s.key);
        return { ...s, statusIPs: r?.ok ? r.ips : [] };
      });
      ipam = new Ipam();
      ipam.restore([...pools.values()].reverse(), withStatus.reverse());
    }
    for (const [key, want] of Object.entries(step.want ?? {})) {
      expect({
        step: step.name,
        key,
        got: summary(ipam.result(key.includes('/') ? key : `default/${key}`)),
      }).toEqual({
        step: step.name,
        key,
        got: want,
      });
    }
  }
  return ipam;
}

const cilium = (ip: string) => ({ annotations: { 'io.cilium/lb-ipam-ips': ip } });

describe('the blog scenario', () => {
  test('a /30 pool: pinned .1, next .2, third exhausted; deleting one frees its IP', () => {
    const sel = { serviceSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } };
    const labels = { 'app.kubernetes.io/name': 'ingress-nginx' };
    const ipam = run([
      { name: 'pool', pool: pool('blog', ['172.198.1.0/30'], sel) },
      { name: 'other labels', svc: svc('web'), want: { web: 'no-matching-pool' } },
      { name: 'second first', svc: svc('second', { labels }), want: { second: ['172.198.1.1'] } },
      {
        name: 'ingress pins .1, which second already holds',
        svc: svc('ingress-nginx/ingress', { labels, ...cilium('172.198.1.1') }),
        want: { 'ingress-nginx/ingress': 'ip-in-use' },
      },
      {
        name: 'second goes',
        deleteSvc: 'default/second',
        want: { 'ingress-nginx/ingress': ['172.198.1.1'] },
      },
      { name: 'second again', svc: svc('second', { labels }), want: { second: ['172.198.1.2'] } },
      { name: 'third', svc: svc('third', { labels }), want: { third: 'pool-exhausted' } },
      {
        name: 'restart',
        restart: true,
        want: { 'ingress-nginx/ingress': ['172.198.1.1'], second: ['172.198.1.2'], third: 'pool-exhausted' },
      },
      { name: 'second leaves', deleteSvc: 'default/second', want: { third: ['172.198.1.2'] } },
    ]);
    const [p] = ipam.pools().map(poolResult);
    expect(p).toMatchObject({ name: 'blog', total: '2', used: '2', available: '0' });
    expect(p?.conditions.find((c) => c.type === 'Exhausted')?.status).toBe('True');
    expect(ipam.result('default/third')?.ok && ipam.result('default/third')).toMatchObject({ pool: 'blog' });
  });

  test('the blog order: the annotated ingress first gets .1, then .2, then exhausted', () => {
    const ipam = new Ipam();
    const results = ipam.restore(
      [pool('blog', ['172.198.1.0/30'])],
      [svc('ingress-nginx/ingress', cilium('172.198.1.1')), svc('b'), svc('c')],
    );
    expect(results.map(summary)).toEqual([['172.198.1.1'], ['172.198.1.2'], 'pool-exhausted']);
    const c = ipam.result('default/c');
    expect(c?.ok === false && c.message).toBe('pool blog has no free IPv4 address');
  });
});

describe('annotation flavours', () => {
  const flavours = [
    'edgelb.io/ips',
    'lbipam.cilium.io/ips',
    'io.cilium/lb-ipam-ips',
    'metallb.io/loadBalancerIPs',
    'metallb.universe.tf/loadBalancerIPs',
  ];
  for (const a of flavours)
    test(`${a} requests an IP`, () => {
      run([
        { name: 'pool', pool: pool('p', ['10.0.0.0/24']) },
        { name: a, svc: svc('s', { annotations: { [a]: ' 10.0.0.7 ' } }), want: { s: ['10.0.0.7'] } },
      ]);
    });
  test('spec.loadBalancerIP requests an IP', () => {
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/24']) },
      { name: 'lbip', svc: svc('s', { loadBalancerIP: '10.0.0.9' }), want: { s: ['10.0.0.9'] } },
    ]);
  });
  test('the same value in several places is fine', () => {
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/24']) },
      {
        name: 'both',
        svc: svc('s', {
          loadBalancerIP: '10.0.0.9',
          annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.9' },
        }),
        want: { s: ['10.0.0.9'] },
      },
    ]);
  });
  test('contradicting annotations are invalid-request naming both', () => {
    const ipam = run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/24']) },
      {
        name: 'contradiction',
        svc: svc('s', { annotations: { 'edgelb.io/ips': '10.0.0.1', 'io.cilium/lb-ipam-ips': '10.0.0.2' } }),
        want: { s: 'invalid-request' },
      },
      {
        name: 'pool contradiction',
        svc: svc('t', { annotations: { 'edgelb.io/pool': 'a', 'metallb.io/address-pool': 'b' } }),
        want: { t: 'invalid-request' },
      },
    ]);
    const r = ipam.result('default/s');
    expect(r?.ok === false && r.message).toContain('edgelb.io/ips');
    expect(r?.ok === false && r.message).toContain('io.cilium/lb-ipam-ips');
    const t = ipam.result('default/t');
    expect(t?.ok === false && t.message).toContain('metallb.io/address-pool');
  });
  test('unparseable, outside every pool, and a pool request', () => {
    run([
      { name: 'pools', pool: pool('a', ['10.0.0.0/24']) },
      { name: 'pool b', pool: pool('b', ['10.0.1.0/24']) },
      {
        name: 'garbage',
        svc: svc('g', { annotations: { 'edgelb.io/ips': '10.0.0.300' } }),
        want: { g: 'invalid-request' },
      },
      {
        name: 'outside',
        svc: svc('o', { annotations: { 'edgelb.io/ips': '192.0.2.1' } }),
        want: { o: 'no-pool-for-ip' },
      },
      {
        name: 'pool b',
        svc: svc('pb', { annotations: { 'edgelb.io/pool': 'b' } }),
        want: { pb: ['10.0.1.1'] },
      },
      {
        name: 'metallb pool',
        svc: svc('pm', { annotations: { 'metallb.io/address-pool': 'b' } }),
        want: { pm: ['10.0.1.2'] },
      },
      {
        name: 'missing pool',
        svc: svc('pz', { annotations: { 'edgelb.io/pool': 'zz' } }),
        want: { pz: 'no-matching-pool' },
      },
      {
        name: 'ip not in the requested pool',
        svc: svc('px', { annotations: { 'edgelb.io/pool': 'b', 'edgelb.io/ips': '10.0.0.5' } }),
        want: { px: 'no-pool-for-ip' },
      },
      {
        name: 'fixing the annotation moves it',
        svc: svc('g', { annotations: { 'edgelb.io/ips': '10.0.0.30' } }),
        want: { g: ['10.0.0.30'] },
      },
    ]);
  });
  test('selectors: matchExpressions and the pseudo-labels', () => {
    run([
      {
        name: 'by namespace',
        pool: pool('ns', ['10.1.0.0/24'], {
          serviceSelector: { matchLabels: { 'io.kubernetes.service.namespace': 'team-a' } },
        }),
      },
      {
        name: 'by expression',
        pool: pool('ex', ['10.2.0.0/24'], {
          serviceSelector: {
            matchExpressions: [
              { key: 'tier', operator: 'In', values: ['edge'] },
              { key: 'legacy', operator: 'DoesNotExist' },
            ],
          },
        }),
      },
      { name: 'team-a', svc: svc('team-a/x'), want: { 'team-a/x': ['10.1.0.1'] } },
      { name: 'edge', svc: svc('y', { labels: { tier: 'edge' } }), want: { y: ['10.2.0.1'] } },
      {
        name: 'legacy edge',
        svc: svc('z', { labels: { tier: 'edge', legacy: '1' } }),
        want: { z: 'no-matching-pool' },
      },
      { name: 'losing the label replaces', svc: svc('y', { labels: {} }), want: { y: 'no-matching-pool' } },
    ]);
  });
});

describe('sharing', () => {
  const key = (k: string, more: Record<string, string> = {}) => ({ 'edgelb.io/sharing-key': k, ...more });
  const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: 'TCP' }));
  test('same key with disjoint ports shares; a port collision is a sharing-conflict', () => {
    const ipam = run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/29']) },
      {
        name: 'http',
        svc: svc('http', { annotations: key('k'), ports: tcp(80) }),
        want: { http: ['10.0.0.1'] },
      },
      {
        name: 'dns',
        svc: svc('dns', { annotations: key('k'), ports: [{ port: 53, protocol: 'UDP' }] }),
        want: { dns: ['10.0.0.1'] },
      },
      {
        name: 'dns tcp too',
        svc: svc('dnst', { annotations: key('metallb'), ports: [{ port: 53, protocol: 'TCP' }] }),
        want: { dnst: ['10.0.0.2'] },
      },
      {
        name: 'collision',
        svc: svc('http2', { annotations: key('k'), ports: tcp(80) }),
        want: { http2: 'sharing-conflict' },
      },
      {
        name: 'no key, same IP asked',
        svc: svc('nokey', { annotations: { 'edgelb.io/ips': '10.0.0.1' }, ports: tcp(9) }),
        want: { nokey: 'ip-in-use' },
      },
      {
        name: 'collision resolved by moving http',
        svc: svc('http', { annotations: key('k'), ports: tcp(8080) }),
        want: { http: ['10.0.0.1'], http2: ['10.0.0.1'] },
      },
      {
        name: 'restart keeps the shared IP',
        restart: true,
        want: { http: ['10.0.0.1'], dns: ['10.0.0.1'], http2: ['10.0.0.1'] },
      },
      { name: 'one leaves, the IP stays', deleteSvc: 'default/http', want: { dns: ['10.0.0.1'] } },
    ]);
    expect(ipam.pools()[0]).toMatchObject({ used: '2' });
  });
  test('metallb allow-shared-ip with the same explicit IP', () => {
    const shared = { 'metallb.io/allow-shared-ip': 'x', 'metallb.io/loadBalancerIPs': '10.0.0.5' };
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/29']) },
      { name: 'a', svc: svc('a', { annotations: shared, ports: tcp(80) }), want: { a: ['10.0.0.5'] } },
      { name: 'b', svc: svc('b', { annotations: shared, ports: tcp(443) }), want: { b: ['10.0.0.5'] } },
    ]);
  });
  test('cross-namespace needs consent from both sides', () => {
    const ask = (ns: string) =>
      key('k', { 'edgelb.io/ips': '10.0.0.5', 'edgelb.io/sharing-cross-namespace': ns });
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/29']) },
      {
        name: 'a',
        svc: svc('ns1/a', { annotations: ask('ns2'), ports: tcp(80) }),
        want: { 'ns1/a': ['10.0.0.5'] },
      },
      {
        name: 'auto without consent: own IP',
        svc: svc('ns3/c', { annotations: key('k'), ports: tcp(22) }),
        want: { 'ns3/c': ['10.0.0.1'] },
      },
      {
        name: 'explicit without consent',
        svc: svc('ns3/d', { annotations: key('k', { 'edgelb.io/ips': '10.0.0.5' }), ports: tcp(23) }),
        want: { 'ns3/d': 'sharing-conflict' },
      },
      {
        name: 'one-sided',
        svc: svc('ns2/b', { annotations: ask('ns9'), ports: tcp(443) }),
        want: { 'ns2/b': 'sharing-conflict' },
      },
      {
        name: 'both consent',
        svc: svc('ns2/b', { annotations: ask('*'), ports: tcp(443) }),
        want: { 'ns2/b': ['10.0.0.5'] },
      },
    ]);
  });
  test('externalTrafficPolicy Local shares only with the same pods', () => {
    const local = (pods: Record<string, string>, port: number) => ({
      annotations: key('k'),
      externalTrafficPolicy: 'Local' as const,
      podSelector: pods,
      ports: tcp(port),
    });
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/29']) },
      { name: 'a', svc: svc('a', local({ app: 'x' }, 80)), want: { a: ['10.0.0.1'] } },
      { name: 'same pods', svc: svc('b', local({ app: 'x' }, 443)), want: { b: ['10.0.0.1'] } },
      { name: 'other pods', svc: svc('c', local({ app: 'y' }, 8443)), want: { c: 'sharing-conflict' } },
      {
        name: 'Cluster vs Local',
        svc: svc('d', { annotations: key('k'), ports: tcp(9000) }),
        want: { d: 'sharing-conflict' },
      },
    ]);
  });
});

describe('dual stack', () => {
  const dual = (
    policy: 'PreferDualStack' | 'RequireDualStack',
    fams: ('IPv4' | 'IPv6')[] = ['IPv4', 'IPv6'],
  ) => ({
    ipFamilyPolicy: policy,
    ipFamilies: fams,
  });
  test('all three policies, with and without an IPv6 pool', () => {
    run([
      { name: 'v4 pool', pool: pool('v4', ['10.0.0.0/24']) },
      { name: 'single', svc: svc('single'), want: { single: ['10.0.0.1'] } },
      {
        name: 'single v6',
        svc: svc('single6', { ipFamilies: ['IPv6'] }),
        want: { single6: 'no-matching-pool' },
      },
      {
        name: 'prefer: v4 only',
        svc: svc('prefer', dual('PreferDualStack')),
        want: { prefer: ['10.0.0.2'] },
      },
      {
        name: 'require: none',
        svc: svc('require', dual('RequireDualStack', ['IPv6', 'IPv4'])),
        want: { require: 'dual-stack-unavailable' },
      },
      {
        name: 'v6 pool arrives: everyone completes',
        pool: pool('v6', ['fd00::/120'], { allowFirstLastIPs: true }),
        want: { single6: ['fd00::'], prefer: ['10.0.0.2', 'fd00::1'], require: ['fd00::2', '10.0.0.3'] },
      },
      {
        name: 'restart',
        restart: true,
        want: { single6: ['fd00::'], prefer: ['10.0.0.2', 'fd00::1'], require: ['fd00::2', '10.0.0.3'] },
      },
      {
        name: 'v6 pool deleted',
        deletePool: 'v6',
        want: { prefer: ['10.0.0.2'], require: 'dual-stack-unavailable', single6: 'no-matching-pool' },
      },
      {
        name: 'explicit dual request',
        svc: svc('pinned', { ...dual('RequireDualStack'), annotations: { 'edgelb.io/ips': '10.0.0.50' } }),
        want: { pinned: 'invalid-request' },
      },
    ]);
  });
});

describe('pool edits', () => {
  test('widen, shrink, disable, delete, re-create, overlap', () => {
    const ipam = run([
      { name: 'small', pool: pool('p', ['10.0.0.0/30']) },
      { name: 'a', svc: svc('a'), want: { a: ['10.0.0.1'] } },
      { name: 'b', svc: svc('b'), want: { b: ['10.0.0.2'] } },
      { name: 'c', svc: svc('c'), want: { c: 'pool-exhausted' } },
      {
        name: 'widen',
        pool: { ...pool('p', ['10.0.0.0/29']), creationOrder: '2026-01-01T00:00:00.000Z' },
        want: { a: ['10.0.0.1'], b: ['10.0.0.2'], c: ['10.0.0.3'] },
      },
      {
        name: 'shrink to a range without .1',
        pool: { ...pool('p', ['10.0.0.2-10.0.0.6']), creationOrder: '2026-01-01T00:00:00.000Z' },
        want: { a: ['10.0.0.4'], b: ['10.0.0.2'], c: ['10.0.0.3'] },
      },
      {
        name: 'disable: existing stay',
        pool: {
          ...pool('p', ['10.0.0.2-10.0.0.6'], { disabled: true }),
          creationOrder: '2026-01-01T00:00:00.000Z',
        },
        want: { a: ['10.0.0.4'], b: ['10.0.0.2'] },
      },
      { name: 'no new IP from a disabled pool', svc: svc('d'), want: { d: 'no-matching-pool' } },
      {
        name: 'restart with the pool disabled',
        restart: true,
        want: { a: ['10.0.0.4'], b: ['10.0.0.2'], c: ['10.0.0.3'], d: 'no-matching-pool' },
      },
      {
        name: 'overlapping newer pool: Conflict, unused',
        pool: pool('q', ['10.0.0.0/28']),
        want: { d: 'no-matching-pool' },
      },
      {
        name: 'delete p: q takes over, IPs inside q stay',
        deletePool: 'p',
        want: { a: ['10.0.0.4'], b: ['10.0.0.2'], c: ['10.0.0.3'], d: ['10.0.0.1'] },
      },
      { name: 'delete q: no pool', deletePool: 'q', want: { a: 'no-matching-pool', d: 'no-matching-pool' } },
      {
        name: 're-create',
        pool: pool('p', ['10.0.0.0/30']),
        want: { a: ['10.0.0.1'], b: ['10.0.0.2'], c: 'pool-exhausted' },
      },
    ]);
    expect(ipam.pools().map((p) => p.name)).toEqual(['p']);
  });
  test('regression (MetalLB #1774, Cilium #41147): an older pending Service does not take a held IP on restart', () => {
    run([
      {
        name: 'one address',
        pool: pool('p', ['10.0.0.7/32'], { serviceSelector: { matchLabels: { tier: 'x' } } }),
      },
      { name: 'older, not selected yet', svc: svc('old'), want: { old: 'no-matching-pool' } },
      {
        name: 'younger takes the only IP',
        svc: svc('young', { labels: { tier: 'x' } }),
        want: { young: ['10.0.0.7'] },
      },
      {
        name: 'older now selected: exhausted',
        svc: svc('old', { labels: { tier: 'x' }, creationOrder: '2000-01-01T00:00:00Z' }),
        want: { old: 'pool-exhausted' },
      },
      {
        name: 'restart keeps it with the younger',
        restart: true,
        want: { young: ['10.0.0.7'], old: 'pool-exhausted' },
      },
    ]);
  });
  test('autoAssign false: only explicit requests', () => {
    run([
      { name: 'manual', pool: pool('m', ['10.0.0.0/24'], { autoAssign: false }) },
      { name: 'auto', svc: svc('a'), want: { a: 'no-matching-pool' } },
      {
        name: 'explicit',
        svc: svc('b', { annotations: { 'edgelb.io/ips': '10.0.0.9' } }),
        want: { b: ['10.0.0.9'] },
      },
      {
        name: 'by pool name',
        svc: svc('c', { annotations: { 'edgelb.io/pool': 'm' } }),
        want: { c: ['10.0.0.1'] },
      },
    ]);
  });
  test('a status IP held by an older incompatible Service is replaced, and the result says why', () => {
    const ipam = new Ipam();
    const out = ipam.restore(
      [pool('p', ['10.0.0.0/29'])],
      [
        svc('young', { statusIPs: ['10.0.0.1'] }),
        svc('old', { statusIPs: ['10.0.0.1'], creationOrder: '2000-01-01T00:00:00Z' }),
      ],
    );
    expect(out.map(summary)).toEqual([['10.0.0.2'], ['10.0.0.1']]);
    const young = out[0];
    expect(young?.replaced?.ips).toEqual(['10.0.0.1']);
    expect(young?.replaced?.why).toContain('held by default/old');
  });
});

describe('address space', () => {
  test('a /64 pool allocates without enumerating it', () => {
    const ipam = run([
      { name: 'v6', pool: pool('v6', ['2001:db8:0:1::/64'], { allowFirstLastIPs: true }) },
      { name: 'a', svc: svc('a', { ipFamilies: ['IPv6'] }), want: { a: ['2001:db8:0:1::'] } },
      { name: 'b', svc: svc('b', { ipFamilies: ['IPv6'] }), want: { b: ['2001:db8:0:1::1'] } },
      {
        name: 'pinned high',
        svc: svc('c', {
          ipFamilies: ['IPv6'],
          annotations: { 'edgelb.io/ips': '2001:db8:0:1:ffff:ffff:ffff:ffff' },
        }),
        want: { c: ['2001:db8:0:1:ffff:ffff:ffff:ffff'] },
      },
    ]);
    expect(ipam.pools()[0]).toMatchObject({
      total: '18446744073709551616',
      used: '3',
      available: '18446744073709551613',
    });
  });
  const cases: [string, boolean, string[], string][] = [
    ['10.0.0.0/30', false, ['10.0.0.1', '10.0.0.2'], '2'],
    ['10.0.0.0/30', true, ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3'], '4'],
    ['10.0.0.0/31', false, ['10.0.0.0', '10.0.0.1'], '2'],
    ['10.0.0.0/31', true, ['10.0.0.0', '10.0.0.1'], '2'],
    ['10.0.0.7/32', false, ['10.0.0.7'], '1'],
    ['10.0.0.7/32', true, ['10.0.0.7'], '1'],
  ];
  for (const [cidr, allow, ips, total] of cases)
    test(`allowFirstLastIPs=${allow} on ${cidr}`, () => {
      const ipam = new Ipam();
      const services = [1, 2, 3, 4, 5].map((i) => svc(`s${i}`));
      const out = ipam.restore([pool('p', [cidr], { allowFirstLastIPs: allow })], services);
      const got = out.filter((r) => r.ok).flatMap((r) => (r.ok ? r.ips : []));
      expect(got.sort()).toEqual([...ips].sort());
      expect(out.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'pool-exhausted')).toBe(true);
      expect(ipam.pools()[0]?.total).toBe(total);
    });
  // IPv6: the subnet-router anycast address (the all-zero interface ID, RFC 4291 §2.6.1) is
  // skipped unless allowFirstLastIPs; a /127 (RFC 6164), a /128 and a CIDR not starting at an
  // all-zero interface ID have none. No broadcast in IPv6.
  const v6cases: [string, boolean, string[], string][] = [
    ['fd00:50::/126', false, ['fd00:50::1', 'fd00:50::2', 'fd00:50::3'], '3'],
    ['fd00:50::/126', true, ['fd00:50::', 'fd00:50::1', 'fd00:50::2', 'fd00:50::3'], '4'],
    ['fd00:50::/127', false, ['fd00:50::', 'fd00:50::1'], '2'],
    ['fd00:50::7/128', false, ['fd00:50::7'], '1'],
    ['fd00:50::4/126', false, ['fd00:50::4', 'fd00:50::5', 'fd00:50::6', 'fd00:50::7'], '4'],
  ];
  for (const [cidr, allow, ips, total] of v6cases)
    test(`allowFirstLastIPs=${allow} on ${cidr} (subnet-router anycast)`, () => {
      const ipam = new Ipam();
      const services = [1, 2, 3, 4, 5].map((i) => svc(`s${i}`, { ipFamilies: ['IPv6'] }));
      const out = ipam.restore([pool('p', [cidr], { allowFirstLastIPs: allow })], services);
      const got = out.filter((r) => r.ok).flatMap((r) => (r.ok ? r.ips : []));
      expect(got.sort()).toEqual([...ips].sort());
      expect(ipam.pools()[0]?.total).toBe(total);
    });
  test('an explicit request for the subnet-router anycast address of an IPv6 pool is refused', () => {
    const ipam = new Ipam();
    const out = ipam.restore(
      [pool('p', ['fd00:50::/64'])],
      [svc('n', { ipFamilies: ['IPv6'], annotations: { 'edgelb.io/ips': 'fd00:50::' } })],
    );
    expect(out[0]!.ok).toBe(false);
  });
  test('an explicit request for the network address of a /30 is refused', () => {
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/30']) },
      {
        name: 'network',
        svc: svc('n', { annotations: { 'edgelb.io/ips': '10.0.0.0' } }),
        want: { n: 'no-pool-for-ip' },
      },
      {
        name: 'broadcast',
        svc: svc('b', { annotations: { 'edgelb.io/ips': '10.0.0.3' } }),
        want: { b: 'no-pool-for-ip' },
      },
    ]);
  });
});
