/**
 * Each renderer's exact output for the smallest plans: one session with no pool, no BFD and
 * no Graceful Restart (no empty sections, no stray separators or flags), and one session with
 * exactly one of each (one prefix, one BFD profile, a restart time, another port). Plus the
 * refusals and warnings that hang on a single session, and malformed pool ranges.
 */
import { describe, expect, test } from 'bun:test';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { renderFrr } from '../../agent/routercfg/frr.ts';
import { renderOpnsense } from '../../agent/routercfg/opnsense.ts';
import { poolPrefixes } from '../../agent/routercfg/prefixes.ts';
import { renderRouterOS } from '../../agent/routercfg/routeros.ts';
import type { RouterBfd, RouterPlan, Session } from '../../agent/routercfg/types.ts';

const BASE: Session = {
  node: 'n1',
  family: 4,
  nodeAddress: '192.168.2.10',
  routerAddress: '192.168.2.1',
  nodeASN: 65001,
  port: 179,
  origin: 'policy p / virtual router 0 (AS 65001)',
};
const BFD: RouterBfd = {
  profile: 'fast',
  transmitIntervalMs: 300,
  receiveIntervalMs: 300,
  detectMultiplier: 3,
  minimumTtl: 254,
  nodePassive: false,
};

const plan = (sessions: Session[], v4: string[] = []): RouterPlan => ({
  routerASN: 65000,
  routerAddresses: { 4: '192.168.2.1' },
  sessions,
  prefixes: { 4: v4, 6: [] },
  pools: v4.length > 0 ? ['p'] : [],
  policies: ['p'],
});
const MINIMAL = plan([BASE]);
const ONE = plan(
  [{ ...BASE, port: 1790, bfd: BFD, multihopTTL: 2, gracefulRestartSeconds: 120 }],
  ['10.0.0.0/30'],
);

const text = (lines: string[]) => `${lines.join('\n')}\n`;

describe('FRR', () => {
  test('minimal: no prefix list, route map, bfd or graceful-restart lines', () => {
    expect(renderFrr(MINIMAL)).toEqual({
      ok: true,
      warnings: [],
      text: text([
        '! edgelb router-config --for frr: the router side of the current policies.',
        '! router AS 65000, 192.168.2.1',
        '! policies: p; pools: (none)',
        '! nodes: n1',
        '! edgelb dials out: the router only accepts (passive) and announces nothing to the nodes.',
        '!',
        'router bgp 65000',
        ' bgp router-id 192.168.2.1',
        ' neighbor 192.168.2.10 remote-as 65001',
        ' neighbor 192.168.2.10 description edgelb node n1',
        ' neighbor 192.168.2.10 passive',
        'exit',
      ]),
    });
  });

  test('one of each', () => {
    expect(renderFrr(ONE)).toEqual({
      ok: true,
      warnings: [
        "the nodes dial port 1790: frr.conf cannot set bgpd's listening port; start bgpd with -p 1790",
      ],
      text: text([
        '! edgelb router-config --for frr: the router side of the current policies.',
        '! router AS 65000, 192.168.2.1',
        '! policies: p; pools: p',
        '! nodes: n1',
        '! edgelb dials out: the router only accepts (passive) and announces nothing to the nodes.',
        '!',
        'ip prefix-list EDGELB-V4 seq 10 permit 10.0.0.0/30 ge 32',
        '!',
        'route-map EDGELB-IN-V4 permit 10',
        ' match ip address prefix-list EDGELB-V4',
        'exit',
        '!',
        'bfd',
        ' profile fast',
        '  detect-multiplier 3',
        '  receive-interval 300',
        '  transmit-interval 300',
        '  minimum-ttl 254',
        ' exit',
        ' !',
        'exit',
        '!',
        'router bgp 65000',
        ' bgp router-id 192.168.2.1',
        ' bgp graceful-restart',
        ' neighbor 192.168.2.10 remote-as 65001',
        ' neighbor 192.168.2.10 description edgelb node n1',
        ' neighbor 192.168.2.10 passive',
        ' neighbor 192.168.2.10 ebgp-multihop 2',
        ' neighbor 192.168.2.10 bfd',
        ' neighbor 192.168.2.10 bfd profile fast',
        ' address-family ipv4 unicast',
        '  maximum-paths 8',
        '  neighbor 192.168.2.10 activate',
        '  neighbor 192.168.2.10 route-map EDGELB-IN-V4 in',
        ' exit-address-family',
        'exit',
      ]),
    });
  });
});

describe('RouterOS', () => {
  const HEADER = (pools: string) => [
    '# edgelb router-config --for routeros: the router side of the current policies.',
    '# router AS 65000, 192.168.2.1',
    `# policies: p; pools: ${pools}`,
    '# nodes: n1',
    '# edgelb dials out: the router only accepts (connect=no) and announces nothing to the nodes.',
  ];
  test('minimal: no BFD section, no address-families, no warning', () => {
    expect(renderRouterOS(MINIMAL)).toEqual({
      ok: true,
      warnings: [],
      text: text([
        ...HEADER('(none)'),
        '/routing/filter/rule',
        '/routing/bgp/connection',
        'add name=edgelb-n1 as=65000 local.role=ebgp local.address=192.168.2.1 remote.address=192.168.2.10 remote.as=65001 connect=no listen=yes input.filter=edgelb-in router-id=192.168.2.1 comment="edgelb node n1"',
      ]),
    });
  });

  test('one of each', () => {
    expect(renderRouterOS(ONE)).toEqual({
      ok: true,
      warnings: [
        'RouterOS has no minimum TTL for multihop BFD: the minimumTtl of the BFD profiles is not applied',
        'RouterOS 7 has no graceful-restart setting on a connection: the nodes advertise it, RouterOS decides',
      ],
      text: text([
        ...HEADER('p'),
        '/routing/filter/rule',
        'add chain=edgelb-in rule="if (dst in 10.0.0.0/30 && dst-len == 32) { accept }"',
        '/routing/bfd/configuration',
        'add addresses=192.168.2.10 min-rx=300ms min-tx=300ms multiplier=3 comment="edgelb BFDProfile fast"',
        '/routing/bgp/connection',
        'add name=edgelb-n1 as=65000 local.role=ebgp local.address=192.168.2.1 local.port=1790 remote.address=192.168.2.10 remote.as=65001 connect=no listen=yes multihop=yes use-bfd=yes address-families=ip input.filter=edgelb-in router-id=192.168.2.1 comment="edgelb node n1"',
      ]),
    });
  });

  test('BFD without multihop: no TTL warning', () => {
    const r = renderRouterOS(plan([{ ...BASE, bfd: BFD }]));
    expect(r.ok && r.warnings).toEqual([]);
  });

  test('two nodes: the no-ECMP warning', () => {
    const r = renderRouterOS(plan([BASE, { ...BASE, node: 'n2', nodeAddress: '192.168.2.11' }]));
    expect(r.ok && r.warnings).toEqual([
      'RouterOS does not install BGP multipath (ECMP): it uses one node per IP and fails over to another when that session drops',
    ]);
  });

  test('one GTSM session is refused', () => {
    expect(renderRouterOS(plan([{ ...BASE, gtsm: true }]))).toEqual({
      ok: false,
      errors: [
        'neighbors 192.168.2.10 use gtsm: edgelb does not write GTSM (TTL security) for this target; configure it on the router by hand',
      ],
    });
  });
});

describe('OPNsense', () => {
  test('minimal: no Graceful Restart step text', () => {
    const r = renderOpnsense(MINIMAL);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.text).toContain(
      '2. Routing > BGP > General: check enable; BGP AS Number 65000; Router ID 192.168.2.1; leave Network empty.\n',
    );
  });

  test('with Graceful Restart the step says to check it', () => {
    const r = renderOpnsense(plan([{ ...BASE, gracefulRestartSeconds: 120 }]));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.text).toContain(
      '2. Routing > BGP > General: check enable; BGP AS Number 65000; Router ID 192.168.2.1; leave Network empty. Check Graceful Restart (the nodes advertise it).\n',
    );
  });

  const bfdCases: [string, Partial<Session>, boolean][] = [
    ['FRR’s timers, multihop, minimum TTL 254', { bfd: BFD, multihopTTL: 2 }, true],
    ['FRR’s timers, multihop, minimum TTL 255', { bfd: { ...BFD, minimumTtl: 255 }, multihopTTL: 2 }, false],
    ['FRR’s timers, multihop, minimum TTL 253', { bfd: { ...BFD, minimumTtl: 253 }, multihopTTL: 2 }, false],
    ['FRR’s timers, single hop, any minimum TTL', { bfd: { ...BFD, minimumTtl: 200 } }, true],
    ['other timers', { bfd: { ...BFD, transmitIntervalMs: 100 } }, false],
  ];
  for (const [name, s, ok] of bfdCases)
    test(`BFD with ${name}: ${ok ? 'rendered' : 'refused'}`, () => {
      expect(renderOpnsense(plan([{ ...BASE, ...s }])).ok).toBe(ok);
    });

  test('one GTSM session is refused', () => {
    expect(renderOpnsense(plan([{ ...BASE, gtsm: true }]))).toEqual({
      ok: false,
      errors: [
        'neighbors 192.168.2.10 use gtsm: edgelb does not write GTSM (TTL security) for this target; set it on the router by hand (vtysh: neighbor ADDR ttl-security hops 1)',
      ],
    });
  });
});

test('pool ranges that are not two addresses of one family give no prefix', () => {
  const pool = (blocks: object[]) =>
    ({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'p' },
      spec: { blocks },
    }) as LoadBalancerIPPool;
  expect(
    poolPrefixes([
      pool([
        { start: 'bad', stop: '10.0.0.1' },
        { start: '10.0.0.1', stop: 'bad' },
        { start: '10.0.0.1', stop: 'fd00::1' },
      ]),
    ]),
  ).toEqual({ 4: [], 6: [] });
});

test('a restart time of 1 s (the lowest) still counts as Graceful Restart everywhere', () => {
  const p = plan([{ ...BASE, gracefulRestartSeconds: 1 }]);
  const frr = renderFrr(p);
  expect(frr.ok && frr.text).toContain('\n bgp graceful-restart\n');
  const ros = renderRouterOS(p);
  expect(ros.ok && ros.warnings).toEqual([
    'RouterOS 7 has no graceful-restart setting on a connection: the nodes advertise it, RouterOS decides',
  ]);
  const opn = renderOpnsense(p);
  expect(opn.ok && opn.text).toContain('Check Graceful Restart (the nodes advertise it).');
});
