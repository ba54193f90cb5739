/** This node's address for the router ID and next hop (reconcile/plan/node-address.ts). */
import { describe, expect, test } from 'bun:test';
import type { NodeObject } from '../../agent/api/core.ts';
import { nodeAddresses, pickAddress } from '../../agent/reconcile/plan/node-address.ts';

const node = (addresses: { type: string; address: string }[]) =>
  ({ metadata: { name: 'n1' }, status: { addresses } }) as unknown as NodeObject;

describe('nodeAddresses', () => {
  test('InternalIPs first, then ExternalIPs; hostnames and other types left out', () => {
    expect(
      nodeAddresses(
        node([
          { type: 'ExternalIP', address: '203.0.113.5' },
          { type: 'Hostname', address: 'n1' },
          { type: 'InternalIP', address: '10.0.0.5' },
          { type: 'InternalDNS', address: 'n1.local' },
          { type: 'InternalIP', address: 'fd00::5' },
        ]),
      ),
    ).toEqual(['10.0.0.5', 'fd00::5', '203.0.113.5']);
    expect(nodeAddresses(undefined)).toEqual([]);
    expect(nodeAddresses(node([]))).toEqual([]);
  });
});

describe('pickAddress', () => {
  const cands = ['not-an-ip', 'fe80::1', '2001:db8::7', '10.0.0.5', '192.168.2.9'];
  test('the first of the family', () => {
    expect(pickAddress(cands, 4)).toBe('10.0.0.5');
    expect(pickAddress(cands, 6)).toBe('2001:db8::7');
    expect(pickAddress([], 4)).toBeUndefined();
  });
  test('within nodeAddressCIDR when set', () => {
    expect(pickAddress(cands, 4, '192.168.2.0/24')).toBe('192.168.2.9');
    expect(pickAddress(cands, 4, '172.16.0.0/12')).toBeUndefined();
    expect(pickAddress(cands, 6, '2001:db8::/32')).toBe('2001:db8::7');
  });
  test('a link-local IPv6 address (fe80::/10) is never a next hop', () => {
    expect(pickAddress(['fe80::1', 'febf::1'], 6)).toBeUndefined();
    expect(pickAddress(['fe80::1', 'fec0::1'], 6)).toBe('fec0::1');
    expect(pickAddress(['fe7f::1'], 6)).toBe('fe7f::1');
  });
});
