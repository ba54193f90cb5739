/** agent/doctor: single-address ranges, listed L2 and BGP policies, IPv6 peer addresses, broken ranges. */
import { expect, test } from 'bun:test';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { inPublicSpace } from '../../agent/doctor/address-space.ts';
import { noObjects, takeListed } from '../../agent/doctor/objects.ts';
import { hostPort } from '../../agent/doctor/peers.ts';
import { blockRange, poolFindings } from '../../agent/doctor/pools.ts';

test('inPublicSpace: a single address, public or at the last address of a private block', () => {
  const one = (ip: string) => blockRange({ start: ip, stop: ip })!;
  expect(inPublicSpace(one('8.8.8.8'))).toBe(true);
  expect(inPublicSpace(one('10.255.255.255'))).toBe(false);
  expect(inPublicSpace(one('10.0.0.0'))).toBe(false);
  expect(inPublicSpace(one('11.0.0.0'))).toBe(true);
});

test('blockRange: a range with one unparsable or mixed-family end is undefined', () => {
  expect(blockRange({ start: '10.0.0.1', stop: 'x' })).toBeUndefined();
  expect(blockRange({ start: 'x', stop: '10.0.0.1' })).toBeUndefined();
  expect(blockRange({ start: '10.0.0.1', stop: 'fd00::1' })).toBeUndefined();
  expect(blockRange({ start: '10.0.0.1', stop: '10.0.0.2' })).toEqual({
    family: 4,
    first: 0x0a000001n,
    last: 0x0a000002n,
  });
});

test('hostPort: IPv6 in brackets', () => {
  expect(hostPort({ policy: 'p', address: 'fd00::1', port: 179 })).toBe('[fd00::1]:179');
  expect(hostPort({ policy: 'p', address: '192.168.2.1', port: 1179 })).toBe('192.168.2.1:1179');
});

test('takeListed: L2 and BGP policies are validated as their own kind and land in their own list', () => {
  const into = noObjects();
  const l2 = takeListed(
    'L2AnnouncementPolicy',
    [
      { metadata: { name: 'lan' }, spec: { interfaces: ['^eth0$'] } },
      { metadata: { name: 'bad' }, spec: { x: 1 } },
    ],
    into,
  );
  const bgp = takeListed(
    'BGPPeeringPolicy',
    [
      {
        metadata: { name: 'rack' },
        spec: {
          virtualRouters: [{ localASN: 65001, neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000 }] }],
        },
      },
    ],
    into,
  );
  expect(into.l2Policies.map((p) => [p.kind, p.metadata.name, p.spec])).toEqual([
    ['L2AnnouncementPolicy', 'lan', { interfaces: ['^eth0$'] }],
  ]);
  expect(into.bgpPolicies.map((p) => [p.kind, p.metadata.name])).toEqual([['BGPPeeringPolicy', 'rack']]);
  expect(into.pools).toEqual([]);
  expect(bgp).toEqual([]);
  expect(l2.length).toBe(1);
  expect(JSON.stringify(l2[0])).toContain('L2AnnouncementPolicy bad');
  expect(JSON.stringify(l2[0])).toContain('spec.x: unknown field');
});

test('poolFindings: a /31 or /127 node subnet is a subnet, a /128 is a host route', () => {
  const pool = (cidr: string): LoadBalancerIPPool => ({
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPool',
    metadata: { name: 'p' },
    spec: { blocks: [{ cidr }] },
  });
  const levels = (cidr: string, subnet: string) =>
    poolFindings({ pools: [pool(cidr)], l2Policies: [], nodeSubnets: [subnet] }).map((f) => f.level);
  expect(levels('10.9.0.0/30', '10.9.0.0/31')).toEqual(['warn']);
  expect(levels('fd00::/126', 'fd00::/127')).toEqual(['warn']);
  expect(levels('fd00::/120', 'fd00::1/128')).toEqual(['ok']);
  expect(levels('10.9.0.0/30', '10.9.0.1/32')).toEqual(['ok']);
});
