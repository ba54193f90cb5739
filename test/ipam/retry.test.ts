/** Pending Services get another chance when something frees space; edgelb.io/ips takes one address per family. */
import { expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { pool, summary, svc } from './builders.ts';

test('a Service waiting on a full pool gets the address another Service frees', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.1/32'], { allowFirstLastIPs: true }));
  ipam.upsertService(svc('a'));
  ipam.upsertService(svc('b'));
  expect(summary(ipam.result('default/b'))).toBe('pool-exhausted');
  const changed = ipam.deleteService('default/a');
  expect(changed.map(summary)).toEqual([['10.0.0.1']]);
  expect(summary(ipam.result('default/b'))).toEqual(['10.0.0.1']);
});

test('a Service waiting on a full pool gets an address when the pool grows', () => {
  const ipam = new Ipam();
  const p = pool('p', ['10.0.0.1/32'], { allowFirstLastIPs: true });
  ipam.upsertPool(p);
  ipam.upsertService(svc('a'));
  ipam.upsertService(svc('b'));
  ipam.upsertPool({ ...p, blocks: [{ cidr: '10.0.0.0/30' }] });
  expect(summary(ipam.result('default/a'))).toEqual(['10.0.0.1']);
  expect(summary(ipam.result('default/b'))).toEqual(['10.0.0.0']);
});

test('edgelb.io/ips: one IPv4 and one IPv6 address is a dual-stack request; two of a family are refused', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/30', 'fd00::/126']));
  const dual = {
    ipFamilies: ['IPv4', 'IPv6'] as ('IPv4' | 'IPv6')[],
    ipFamilyPolicy: 'RequireDualStack' as const,
  };
  ipam.upsertService(svc('d', { ...dual, annotations: { 'edgelb.io/ips': '10.0.0.2,fd00::2' } }));
  expect(summary(ipam.result('default/d'))).toEqual(['10.0.0.2', 'fd00::2']);
  ipam.upsertService(svc('e', { ...dual, annotations: { 'edgelb.io/ips': '10.0.0.1,10.0.0.2' } }));
  expect(summary(ipam.result('default/e'))).toBe('invalid-request');
  ipam.upsertService(svc('f', { ...dual, annotations: { 'edgelb.io/ips': '10.0.0.1,fd00::1,fd00::3' } }));
  expect(summary(ipam.result('default/f'))).toBe('invalid-request');
});

test('a dual-stack Service lists its IPs in its ipFamilies order, whichever it got first', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('a', ['10.0.0.0/30']));
  const s = svc('s', { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'PreferDualStack' });
  ipam.upsertService(s);
  expect(ipam.result(s.key)).toMatchObject({ ok: true, ips: ['10.0.0.1'] });
  ipam.upsertPool(pool('b', ['fd00::/126']));
  expect(ipam.result(s.key)).toMatchObject({
    ok: true,
    // fd00:: is the subnet-router anycast address, skipped without allowFirstLastIPs
    ips: ['fd00::1', '10.0.0.1'],
    pools: ['b', 'a'],
    pool: 'b, a',
    message: 'fd00::1, 10.0.0.1 from pool b, a',
  });
});

test('edgelb.io/ips of the other family on a SingleStack Service is refused', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/30', 'fd00::/126']));
  ipam.upsertService(svc('v4', { annotations: { 'edgelb.io/ips': 'fd00::1' } }));
  expect(ipam.result('default/v4')).toMatchObject({
    ok: false,
    reason: 'invalid-request',
    message: 'edgelb.io/ips asks for fd00::1 but the Service is IPv4 SingleStack',
  });
  ipam.upsertService(svc('v6', { ipFamilies: ['IPv6'], annotations: { 'edgelb.io/ips': 'fd00::1' } }));
  expect(summary(ipam.result('default/v6'))).toEqual(['fd00::1']);
});

test('a new Service whose status already names a valid IP keeps it (a new leader learning of it)', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  ipam.upsertService(svc('s', { statusIPs: ['10.0.0.5'] }));
  expect(summary(ipam.result('default/s'))).toEqual(['10.0.0.5']);
});

test('a Service sharing a key takes the lowest address its partners hold', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  const key = (k: string, more: Record<string, string> = {}) => ({ 'edgelb.io/sharing-key': k, ...more });
  ipam.upsertService(svc('a', { annotations: key('k', { 'edgelb.io/ips': '10.0.0.3' }) }));
  // same port 80: b cannot share a's address, so it names another one
  ipam.upsertService(svc('b', { annotations: key('k', { 'edgelb.io/ips': '10.0.0.1' }) }));
  expect(summary(ipam.result('default/b'))).toEqual(['10.0.0.1']);
  ipam.upsertService(svc('c', { annotations: key('k'), ports: [{ port: 443, protocol: 'TCP' }] }));
  expect(summary(ipam.result('default/c'))).toEqual(['10.0.0.1']);
});
