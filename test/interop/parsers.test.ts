/**
 * The daemon-output parsers the interop suite relies on, checked against output captured from
 * BIRD 2.0.12 and ExaBGP 4.2.21 in this harness (ExaBGP announcing to both). If a parser were
 * wrong, every interop assertion built on it would be wrong too; these pin them to real text.
 */
import { describe, expect, test } from 'bun:test';
import { parseBirdRoutes } from '../support/bird.ts';
import { parseDump } from '../support/exabgp.ts';
import { frrConfig } from '../support/frr.ts';

const BIRD_SHOW_ROUTE_ALL = `BIRD 2.0.12 ready.
Table master4:
172.198.1.1/32       unicast [bgp_w 18:55:41.955] * (100) [AS65001i]
\tvia 192.168.2.10 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65001
\tBGP.next_hop: 192.168.2.10
\tBGP.local_pref: 100
\tBGP.community: (65001,100) (65001,200)
\tBGP.large_community: (65001, 1, 2)
                     unicast [bgp_x 18:51:04.739 from 192.168.2.1] (100) [AS65002i]
\tvia 192.168.2.11 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65000 65002
\tBGP.next_hop: 192.168.2.11
\tBGP.local_pref: 100
192.168.2.0/24       unicast [direct1 18:55:41.756] * (240)
\tdev eth0
\tType: device univ

Table master6:
2001:db8:1::1/128    unicast [bgp_w 18:55:41.955 from 192.168.2.10] * (100) [AS65001i]
\tvia fd00:2::10 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65001
\tBGP.next_hop: fd00:2::10 fe80::1
\tBGP.local_pref: 100
`;

const H = '"exabgp": "4.0.1", "time": 1795546541.96, "host" : "vm", "pid" : 25444, "ppid" : 25395';
const NB =
  '"address": { "local": "192.168.2.2", "peer": "192.168.2.10" }, "asn": { "local": 65001, "peer": 65001 }';
const ATTR =
  '"attribute": { "origin": "igp", "local-preference": 100, "community": [ [ 65001, 100 ], [ 65001, 200 ] ], "large-community": [ [ 65001, 1 , 2 ] ] }';
const EXA_DUMP = [
  `{ ${H}, "counter": 1, "type": "state", "neighbor": { ${NB} , "state": "connected" } }`,
  `{ ${H}, "counter": 2, "type": "state", "neighbor": { ${NB} , "state": "up" } }`,
  `{ ${H}, "counter": 3, "type": "update", "neighbor": { ${NB} , "direction": "receive", "message": { "update": { ${ATTR}, "announce": { "ipv4 unicast": { "192.168.2.10": [ { "nlri": "172.198.1.1/32" }, { "nlri": "172.198.1.2/32" } ] } } } } } }`,
  `{ ${H}, "counter": 4, "type": "update", "neighbor": { ${NB} , "direction": "receive", "message": { "update": { ${ATTR}, "announce": { "ipv6 unicast": { "fd00:2::10": [ { "nlri": "2001:db8:1::1/128" } ] } } } } } }`,
  `{ ${H}, "counter": 5, "type": "update", "neighbor": { ${NB} , "direction": "receive", "message": { "eor": { "afi" : "ipv4", "safi" : "unicast" } } } }`,
  `{ ${H}, "counter": 6, "type": "update", "neighbor": { ${NB} , "direction": "receive", "message": { "update": { "withdraw": { "ipv4 unicast": [ { "nlri": "172.198.1.2/32" } ] } } } } }`,
];

describe('birdc show route all parser', () => {
  const routes = parseBirdRoutes(BIRD_SHOW_ROUTE_ALL);

  test('one entry per path, alternates inherit the prefix', () => {
    expect(routes.map((r) => [r.prefix, r.protocol, r.primary])).toEqual([
      ['172.198.1.1/32', 'bgp_w', true],
      ['172.198.1.1/32', 'bgp_x', false],
      ['192.168.2.0/24', 'direct1', true],
      ['2001:db8:1::1/128', 'bgp_w', true],
    ]);
  });

  test('BGP attributes: AS path, next hop, local-pref, communities, large communities', () => {
    expect(routes[0]).toMatchObject({
      asPath: '65001',
      nextHop: '192.168.2.10',
      localPref: 100,
      communities: ['65001:100', '65001:200'],
      largeCommunities: ['65001:1:2'],
    });
    expect(routes[1]).toMatchObject({ asPath: '65000 65002', nextHop: '192.168.2.11', communities: [] });
    // A global + link-local next hop pair: the global one is reported.
    expect(routes[3]?.nextHop).toBe('fd00:2::10');
  });
});

describe('ExaBGP JSON API dump folding', () => {
  test('announces per family and next hop, attributes, withdraws, EoR and state', () => {
    const d = parseDump(EXA_DUMP.join('\n'));
    expect([...d.rib.keys()].sort()).toEqual(['172.198.1.1/32', '2001:db8:1::1/128']);
    expect(d.rib.get('172.198.1.1/32')).toEqual([
      {
        prefix: '172.198.1.1/32',
        peer: '192.168.2.10',
        nextHop: '192.168.2.10',
        asPath: '',
        communities: ['65001:100', '65001:200'],
        largeCommunities: ['65001:1:2'],
        localPref: 100,
      },
    ]);
    expect(d.rib.get('2001:db8:1::1/128')?.[0]?.nextHop).toBe('fd00:2::10');
    expect(d.eors.get('192.168.2.10')).toBe(1);
    expect(d.states.get('192.168.2.10')).toBe('up');
  });

  test('a session going down drops that peer’s routes; torn lines are ignored', () => {
    const down = `{ ${H}, "counter": 7, "type": "state", "neighbor": { ${NB} , "state": "down", "reason": "x" } }`;
    const d = parseDump([...EXA_DUMP, down, '{ "exabgp": "4.0.1", "ty'].join('\n'));
    expect(d.rib.size).toBe(0);
    expect(d.states.get('192.168.2.10')).toBe('down');
  });
});

describe('FRR config generator', () => {
  test('accept route-map in both families, maximum-paths, MD5, passive, GR-disable, IPv6 activation', () => {
    const c = frrConfig({
      asn: 65000,
      routerId: '192.168.2.1',
      neighbors: [
        { address: '192.168.2.10', remoteAs: 65001, password: 's3cret', timers: { keepalive: 1, hold: 3 } },
        { address: '192.168.2.11', remoteAs: 65001, ipv6: false, gracefulRestart: false, passive: false },
      ],
    });
    const lines = c.split('\n').map((l) => l.trim());
    expect(lines).toContain('neighbor 192.168.2.10 password s3cret');
    expect(lines).toContain('neighbor 192.168.2.10 passive');
    expect(lines).not.toContain('neighbor 192.168.2.11 passive');
    expect(lines).toContain('neighbor 192.168.2.10 timers 1 3');
    expect(lines).toContain('neighbor 192.168.2.11 graceful-restart-disable');
    expect(lines.filter((l) => l === 'maximum-paths 8')).toHaveLength(2);
    expect(lines.filter((l) => l === 'maximum-paths ibgp 8')).toHaveLength(2);
    expect(lines.filter((l) => l === 'neighbor 192.168.2.10 route-map ACCEPT-ALL in')).toHaveLength(2);
    expect(lines.filter((l) => l === 'neighbor 192.168.2.11 route-map ACCEPT-ALL in')).toHaveLength(1);
    expect(lines).toContain('neighbor 192.168.2.10 activate');
    expect(lines).not.toContain('neighbor 192.168.2.11 activate');
  });
});
