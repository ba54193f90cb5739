/** agent/doctor: the edges of its pure checks (single addresses, host routes, kinds, families). */
import { describe, expect, test } from 'bun:test';
import { inPublicSpace } from '../../agent/doctor/address-space.ts';
import { noObjects, takeListed } from '../../agent/doctor/objects.ts';
import { hostPort } from '../../agent/doctor/peers.ts';
import { blockRange, poolFindings } from '../../agent/doctor/pools.ts';

const range = (cidr: string) => blockRange({ cidr })!;

describe('public address space: single addresses', () => {
  test('a /32 or /128 is judged like any range, also at the last address of a block', () => {
    expect(inPublicSpace(range('8.8.8.8/32'))).toBe(true);
    expect(inPublicSpace(range('10.0.0.0/32'))).toBe(false);
    expect(inPublicSpace(range('10.255.255.255/32'))).toBe(false);
    expect(inPublicSpace(range('11.0.0.0/32'))).toBe(true);
    expect(inPublicSpace(range('fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128'))).toBe(false);
    expect(inPublicSpace(range('fe00::/128'))).toBe(true);
  });
});

describe('blockRange', () => {
  test('start/stop: both must parse and be of one family', () => {
    expect(blockRange({ start: '10.0.0.1', stop: '10.0.0.9' })).toEqual({
      family: 4,
      first: 0x0a000001n,
      last: 0x0a000009n,
    });
    expect(blockRange({ start: 'x', stop: '10.0.0.9' })).toBeUndefined();
    expect(blockRange({ start: '10.0.0.1', stop: 'x' })).toBeUndefined();
    expect(blockRange({ start: '10.0.0.1', stop: 'fd00::1' })).toBeUndefined();
    expect(blockRange({ cidr: '10.0.0.0/33' })).toBeUndefined();
  });
});

describe('poolFindings: node subnets', () => {
  const pool = {
    apiVersion: 'edgelb.io/v1alpha1' as const,
    kind: 'LoadBalancerIPPool' as const,
    metadata: { name: 'lab' },
    spec: { blocks: [{ cidr: '192.168.2.0/31' }, { cidr: 'fd00::/127' }] },
  };
  const levels = (nodeSubnets: string[]) =>
    poolFindings({ pools: [pool], l2Policies: [], nodeSubnets }).map((f) => f.level);

  test('a /31 and a /127 are subnets; a /32 and a /128 are host routes, never a subnet', () => {
    expect(levels(['192.168.2.0/32', 'fd00::/128'])).toEqual(['ok']);
    expect(levels(['192.168.2.0/31'])).toEqual(['warn']);
    expect(levels(['fd00::/127'])).toEqual(['warn']);
  });
});

describe('takeListed', () => {
  test('each kind is validated as its own kind and lands in its own list', () => {
    const into = noObjects();
    const l2 = takeListed('L2AnnouncementPolicy', [{ metadata: { name: 'lan' }, spec: {} }], into);
    expect(l2).toEqual([]);
    expect(into.l2Policies.map((p) => p.metadata.name)).toEqual(['lan']);
    expect(into.bgpPolicies).toEqual([]);
    expect(into.pools).toEqual([]);
  });
});

describe('hostPort', () => {
  test('IPv6 in brackets, IPv4 bare', () => {
    expect(hostPort({ address: 'fd00::1', port: 179 } as Parameters<typeof hostPort>[0])).toBe(
      '[fd00::1]:179',
    );
    expect(hostPort({ address: '192.168.2.1', port: 1179 } as Parameters<typeof hostPort>[0])).toBe(
      '192.168.2.1:1179',
    );
  });
});
