/**
 * What one IPAM call returns (agent/ipam/call-log.ts): only the results this call changed, and
 * `replaced` only for addresses the Service really had.
 */
import { expect, test } from 'bun:test';
import { CallLog, UNTOUCHED } from '../../agent/ipam/call-log.ts';
import { Ipam } from '../../agent/ipam/ipam.ts';
import type { ServiceResult } from '../../agent/ipam/types.ts';
import { pool, summary, svc } from './builders.ts';

test('each call returns only what it changed, never what an earlier call did', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  expect(ipam.upsertService(svc('a')).map((r) => r.key)).toEqual(['default/a']);
  expect(ipam.upsertService(svc('b')).map((r) => r.key)).toEqual(['default/b']);
  expect(ipam.upsertService(svc('c')).map((r) => r.key)).toEqual(['default/c']);
  expect(ipam.deleteService('default/b')).toEqual([]);
});

test('an address taken within the call it was given in is not reported as replaced, and a repeat changes nothing', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/30']));
  const s = svc('s', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' });
  const want: ServiceResult = {
    key: s.key,
    ok: false,
    reason: 'dual-stack-unavailable',
    message: 'RequireDualStack: IPv6: no pool with IPv6 addresses selects the Service',
  };
  expect(ipam.upsertService(s)).toStrictEqual([want]);
  expect(ipam.upsertService(s)).toStrictEqual([]);
  expect(ipam.result(s.key)).toStrictEqual(want);
});

test('a one-address Service losing its address reports it replaced; settle without losses changes nothing', () => {
  const ipam = new Ipam();
  const p = pool('p', ['10.0.0.0/30']);
  ipam.upsertPool(p);
  ipam.upsertService(svc('a', { annotations: { 'edgelb.io/ips': '10.0.0.2' } }));
  const [r] = ipam.upsertPool({ ...p, blocks: [{ cidr: '10.0.1.0/30' }] });
  expect(r?.replaced).toEqual({ ips: ['10.0.0.2'], why: '10.0.0.2: no pool contains it any more' });
  expect(summary(r)).toBe('no-pool-for-ip');
  const log = new CallLog();
  const st = { view: svc('x'), held: [], result: r } as never;
  expect(log.settle(st, UNTOUCHED)).toBe(false);
});

test('a status address refused while the result stays the same is still reported, as replaced', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  const s = svc('s', { statusIPs: ['10.0.0.1'] });
  ipam.upsertService(s);
  const changed = ipam.upsertService({ ...s, statusIPs: ['10.0.0.1', '10.0.0.5'] });
  expect(changed).toEqual([
    {
      key: s.key,
      ok: true,
      ips: ['10.0.0.1'],
      pools: ['p'],
      pool: 'p',
      message: '10.0.0.1 from pool p',
      replaced: { ips: ['10.0.0.5'], why: '10.0.0.5: the Service already holds an IPv4 address' },
    },
  ]);
});

test('what an earlier call lost is not reported again by a later one', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  const s = svc('s', { statusIPs: ['10.0.1.9'] });
  expect(ipam.upsertService(s).map((r) => r.replaced)).toEqual([
    { ips: ['10.0.1.9'], why: '10.0.1.9: no pool contains it any more' },
  ]);
  expect(ipam.upsertService({ ...s, statusIPs: ['10.0.0.1', '10.0.1.8'] }).map((r) => r.replaced)).toEqual([
    { ips: ['10.0.1.8'], why: '10.0.1.8: the Service already holds an IPv4 address' },
  ]);
});
