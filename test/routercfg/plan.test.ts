/** The pure planner and renderers: range splitting, which sessions exist, and each refusal. */
import { describe, expect, test } from 'bun:test';
import type { BFDProfile, BGPPeeringPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { validateBfdProfile, validatePolicy, validatePool } from '../../agent/api/validate/resources.ts';
import { formatCidr, parseIP } from '../../agent/net/ip.ts';
import { type PlanInput, planRouter } from '../../agent/routercfg/plan.ts';
import { rangeToCidrs } from '../../agent/routercfg/prefixes.ts';
import { routerConfig } from '../../agent/routercfg/render.ts';
import type { RouterNode } from '../../agent/routercfg/types.ts';

const ok = <T>(r: { ok: true; value: T } | { ok: false; problems: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
};
const meta = (name: string) => ({ apiVersion: 'edgelb.io/v1alpha1', metadata: { name } });
const pool = (name: string, blocks: object[], extra = {}): LoadBalancerIPPool =>
  ok(validatePool({ ...meta(name), kind: 'LoadBalancerIPPool', spec: { blocks, ...extra } }));
const policy = (name: string, spec: object): BGPPeeringPolicy =>
  ok(validatePolicy({ ...meta(name), kind: 'BGPPeeringPolicy', spec }));
const profile = (name: string, spec: object = {}): BFDProfile =>
  ok(validateBfdProfile({ ...meta(name), kind: 'BFDProfile', spec }));
const vr = (localASN: number, neighbors: object[]) => ({ localASN, serviceSelector: {}, neighbors });
const nb = (peerAddress: string, extra: object = {}) => ({ peerAddress, peerASN: 65000, ...extra });

const NODES: RouterNode[] = [
  { name: 'worker', labels: { peering: 'yes' }, addresses: { 4: '192.168.2.10', 6: 'fd00:2::10' } },
  { name: 'pi4', labels: { peering: 'yes' }, addresses: { 4: '192.168.2.11' } },
  { name: 'master', labels: {}, addresses: { 4: '192.168.2.12' } },
];

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    policies: [
      policy('blog', {
        nodeSelector: { matchLabels: { peering: 'yes' } },
        virtualRouters: [vr(65001, [nb('192.168.2.1')])],
      }),
    ],
    pools: [pool('blog', [{ cidr: '172.198.1.0/30' }])],
    bfdProfiles: [],
    nodes: NODES,
    router: [],
    defaultSecretNamespace: 'kube-system',
    ...over,
  };
}

const errors = (r: ReturnType<typeof planRouter>) => (r.ok ? [] : r.errors);

describe('rangeToCidrs', () => {
  const cidrs = (a: string, b: string) => {
    const s = parseIP(a);
    const e = parseIP(b);
    if (!s.ok || !e.ok) throw new Error('bad test address');
    return rangeToCidrs({ family: s.value.family, first: s.value.value, last: e.value.value }).map(
      formatCidr,
    );
  };

  test('an unaligned range becomes the fewest aligned CIDRs covering exactly it', () => {
    expect(cidrs('172.198.2.10', '172.198.2.20')).toEqual([
      '172.198.2.10/31',
      '172.198.2.12/30',
      '172.198.2.16/30',
      '172.198.2.20/32',
    ]);
  });

  test('aligned ranges, single addresses and the whole space', () => {
    expect(cidrs('10.0.0.0', '10.0.0.255')).toEqual(['10.0.0.0/24']);
    expect(cidrs('10.0.0.7', '10.0.0.7')).toEqual(['10.0.0.7/32']);
    expect(cidrs('0.0.0.0', '255.255.255.255')).toEqual(['0.0.0.0/0']);
    expect(cidrs('fd00::1', 'fd00::ffff:ffff:ffff:ffff')).toHaveLength(64);
  });

  test('the pieces are contiguous and add up to the range (random ranges)', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return BigInt(seed);
    };
    for (let i = 0; i < 200; i++) {
      const a = next() * 2n;
      const b = a + (next() % 100000n);
      const parts = rangeToCidrs({ family: 4, first: a, last: b });
      let at = a;
      for (const p of parts) {
        expect(p.base).toBe(at);
        expect(p.base % (1n << BigInt(32 - p.prefixLength))).toBe(0n);
        at += 1n << BigInt(32 - p.prefixLength);
      }
      expect(at).toBe(b + 1n);
    }
  });
});

describe('planRouter', () => {
  test('one session per selected node; master (not selected) gets none', () => {
    const r = planRouter(input());
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.plan.sessions.map((s) => `${s.node}=${s.nodeAddress}`)).toEqual([
      'pi4=192.168.2.11',
      'worker=192.168.2.10',
    ]);
    expect(r.plan.routerASN).toBe(65000);
    expect(r.plan.routerAddresses).toEqual({ 4: '192.168.2.1' });
  });

  test('several routers need --router; --router picks the neighbors of that router only', () => {
    const two = input({
      policies: [
        policy('p', {
          virtualRouters: [vr(65001, [nb('192.168.2.1'), nb('192.168.3.1', { peerASN: 65100 })])],
        }),
      ],
    });
    expect(errors(planRouter(two))[0]).toContain('several IPv4 routers (192.168.2.1, 192.168.3.1)');
    const r = planRouter({ ...two, router: ['192.168.3.1'] });
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.plan.routerASN).toBe(65100);
    expect(r.plan.sessions).toHaveLength(3);
  });

  test('a neighbor naming a missing BFDProfile is refused', () => {
    const r = planRouter(
      input({
        policies: [policy('p', { virtualRouters: [vr(65001, [nb('192.168.2.1', { bfdProfile: 'fast' })])] })],
      }),
    );
    expect(errors(r)[0]).toContain('names BFDProfile fast, which does not exist');
  });

  test('a node without an address of the router family is named with the fix', () => {
    const r = planRouter(
      input({ policies: [policy('p', { virtualRouters: [vr(65001, [nb('fd00:2::1')])] })] }),
    );
    expect(errors(r)).toEqual([
      'node master has no IPv6 address for its session to fd00:2::1 (policy p virtualRouters[0] (AS 65001)); give one with --node master=ADDR',
      'node pi4 has no IPv6 address for its session to fd00:2::1 (policy p virtualRouters[0] (AS 65001)); give one with --node pi4=ADDR',
    ]);
  });

  test('two ASNs for one router are refused', () => {
    const r = planRouter(
      input({
        policies: [
          policy('a', { virtualRouters: [vr(65001, [nb('192.168.2.1')])] }),
          policy('b', { virtualRouters: [vr(65002, [nb('192.168.2.1', { peerASN: 65099 })])] }),
        ],
      }),
    );
    expect(errors(r)[0]).toContain('several ASNs: 65000');
  });

  test('the first policy (by name) wins a node, as on the node', () => {
    const r = planRouter(
      input({
        policies: [
          policy('z-late', { virtualRouters: [vr(65009, [nb('192.168.2.1')])] }),
          policy('a-first', { virtualRouters: [vr(65001, [nb('192.168.2.1')])] }),
        ],
      }),
    );
    if (!r.ok) throw new Error(r.errors.join());
    expect(new Set(r.plan.sessions.map((s) => s.nodeASN))).toEqual(new Set([65001]));
    expect(r.warnings.some((w) => w.includes('policy a-first virtualRouters[0] (AS 65001) wins'))).toBe(true);
  });

  test('no selected node is an error; a disabled pool still counts (its IPs are still announced)', () => {
    const none = input({
      policies: [
        policy('p', {
          nodeSelector: { matchLabels: { x: 'y' } },
          virtualRouters: [vr(65001, [nb('192.168.2.1')])],
        }),
      ],
    });
    expect(errors(planRouter(none))).toEqual(['no node is selected by a policy that peers with this router']);
    const r = planRouter(input({ pools: [pool('old', [{ cidr: '10.1.0.0/24' }], { disabled: true })] }));
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.plan.prefixes[4]).toEqual(['10.1.0.0/24']);
  });
});

describe('what each target cannot express', () => {
  const multihopPort = input({
    policies: [
      policy('p', {
        virtualRouters: [
          vr(65001, [nb('192.168.2.1', { peerPort: 1790, eBGPMultihopTTL: 3, bfdProfile: 'std' })]),
        ],
      }),
    ],
    bfdProfiles: [profile('std')],
  });

  test('OPNsense refuses a non-179 port and BFD timers its GUI cannot set', () => {
    const r = routerConfig('opnsense', multihopPort);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toContain('port 1790: the os-frr GUI has no field');
    const fast = routerConfig(
      'opnsense',
      input({
        policies: [policy('p', { virtualRouters: [vr(65001, [nb('192.168.2.1', { bfdProfile: 'fast' })])] })],
        bfdProfiles: [profile('fast', { receiveIntervalMilliseconds: 50 })],
      }),
    );
    expect(fast.ok ? [] : fast.errors).toEqual([
      "BFDProfile fast (receive 50 ms, transmit 300 ms, x 3): the os-frr BFD form has no timers, FRR's defaults (300/300 ms x 3, minimum TTL 254) would apply; use them, or set the profile in vtysh",
    ]);
  });

  test('FRR writes the multihop TTL and the BFD minimum TTL, and warns about the listening port', () => {
    const r = routerConfig('frr', multihopPort);
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.text).toContain(' neighbor 192.168.2.10 ebgp-multihop 3');
    expect(r.text).toContain('  minimum-ttl 254');
    expect(r.warnings).toEqual([
      "the nodes dial port 1790: frr.conf cannot set bgpd's listening port; start bgpd with -p 1790",
    ]);
  });

  test('BIRD listens on the port itself, and warns that multihop BFD has no minimum TTL', () => {
    const r = routerConfig('bird', multihopPort);
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.text).toContain('  local 192.168.2.1 port 1790 as 65000;');
    expect(r.text).toContain('  multihop 3;');
    expect(r.warnings[0]).toContain('BIRD has no minimum TTL for multihop BFD');
  });

  test('RouterOS says it does not spread traffic over the nodes', () => {
    const r = routerConfig('routeros', input());
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.warnings[0]).toContain('RouterOS does not install BGP multipath (ECMP)');
  });

  test('iBGP nodes: role ibgp, maximum-paths ibgp, no multihop line', () => {
    const ibgp = input({
      policies: [policy('p', { virtualRouters: [vr(65000, [nb('192.168.2.1', { eBGPMultihopTTL: 2 })])] })],
    });
    const frr = routerConfig('frr', ibgp);
    const ros = routerConfig('routeros', ibgp);
    if (!frr.ok || !ros.ok) throw new Error('refused');
    expect(frr.text).toContain('  maximum-paths ibgp 8');
    expect(frr.text).not.toContain('ebgp-multihop');
    expect(ros.text).toContain('local.role=ibgp');
  });
});

describe('gtsm neighbors (issue 16)', () => {
  const gtsm = input({
    policies: [policy('p', { virtualRouters: [vr(65001, [nb('192.168.2.1', { gtsm: true })])] })],
  });
  test('FRR ttl-security hops 1, BIRD ttl security on; only for the gtsm sessions', () => {
    const frr = routerConfig('frr', gtsm);
    if (!frr.ok) throw new Error(frr.errors.join());
    expect(frr.text).toContain(' neighbor 192.168.2.10 ttl-security hops 1');
    const bird = routerConfig('bird', gtsm);
    if (!bird.ok) throw new Error(bird.errors.join());
    expect(bird.text).toContain('  ttl security on;');
    const plain = routerConfig('frr', input());
    expect(plain.ok && plain.text).not.toContain('ttl-security');
  });
  test('OPNsense and RouterOS refuse, naming the neighbors', () => {
    for (const t of ['opnsense', 'routeros'] as const) {
      const r = routerConfig(t, gtsm);
      expect(r.ok ? [] : r.errors.filter((e) => e.includes('use gtsm'))).toHaveLength(1);
      expect(r.ok ? '' : r.errors.join()).toContain('192.168.2.10');
    }
  });
});
