/** statusPrefixes' fast path for canonical IPv4 text gives exactly what parsing gives. */
import { expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import { hostPrefix, parseIP } from '../../agent/net/ip.ts';
import { statusPrefixes } from '../../agent/reconcile/plan/announce.ts';

const withIPs = (ips: string[]): ServiceObject => ({
  metadata: { name: 's', namespace: 'n' },
  spec: {},
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});

const parsed = (t: string): string[] => {
  const ip = parseIP(t);
  return ip.ok ? [hostPrefix(ip.value)] : [];
};

test.each([
  '10.0.0.1',
  '0.0.0.0',
  '255.255.255.255',
  '172.198.1.1',
  '010.0.0.1',
  '10.0.0.01',
  '256.0.0.1',
  '10.0.0',
  '10.0.0.1.1',
  '10..0.1',
  '.10.0.0',
  '10.0.0.',
  '1000.0.0.1',
  ' 10.0.0.1',
  '2001:db8::1',
  '::ffff:10.0.0.1',
  'not-an-ip',
  '',
])('%p', (text) => {
  expect(statusPrefixes(withIPs([text]))).toEqual(text ? parsed(text) : []);
});

test('several IPs keep their order; hostnames are skipped', () => {
  const svc = withIPs(['10.0.0.1', '2001:db8::1']);
  svc.status!.loadBalancer!.ingress!.push({ hostname: 'lb.example' });
  expect(statusPrefixes(svc)).toEqual(['10.0.0.1/32', '2001:db8::1/128']);
});
