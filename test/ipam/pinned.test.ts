/**
 * Issue 19: two IPAM behaviours only the random property test used to catch (a shared IP
 * freed while another Service still holds it; an IP kept after edgelb.io/pool changes).
 */
import { describe, expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { pool, summary, svc } from './builders.ts';

const SHARE = { 'edgelb.io/sharing-key': 'web' };

describe('pinned IPAM behaviours', () => {
  test('A and B share an IP; A is deleted; C without a key does not get it while B holds it', () => {
    const ipam = new Ipam();
    ipam.upsertPool(pool('p', ['10.0.0.1-10.0.0.2']));
    ipam.upsertService(svc('a', { annotations: SHARE, ports: [{ port: 80, protocol: 'TCP' }] }));
    ipam.upsertService(svc('b', { annotations: SHARE, ports: [{ port: 443, protocol: 'TCP' }] }));
    expect(summary(ipam.result('default/a'))).toEqual(['10.0.0.1']);
    expect(summary(ipam.result('default/b'))).toEqual(['10.0.0.1']);
    ipam.deleteService('default/a');
    expect(summary(ipam.result('default/b'))).toEqual(['10.0.0.1']);
    ipam.upsertService(svc('c'));
    expect(summary(ipam.result('default/c'))).toEqual(['10.0.0.2']);
    // and with the pool full, C waits rather than taking B's address
    ipam.upsertService(svc('d'));
    expect(summary(ipam.result('default/d'))).toBe('pool-exhausted');
    expect(summary(ipam.result('default/b'))).toEqual(['10.0.0.1']);
  });

  test('a Service whose edgelb.io/pool changes gives up its IP for one of the new pool', () => {
    const ipam = new Ipam();
    ipam.upsertPool(pool('a', ['10.0.0.1/32'], { allowFirstLastIPs: true }));
    ipam.upsertPool(pool('b', ['10.0.1.1/32'], { allowFirstLastIPs: true }));
    const s = svc('s', { annotations: { 'edgelb.io/pool': 'a' } });
    ipam.upsertService(s);
    expect(summary(ipam.result('default/s'))).toEqual(['10.0.0.1']);
    const changed = ipam.upsertService({ ...s, annotations: { 'edgelb.io/pool': 'b' } });
    expect(changed.map(summary)).toEqual([['10.0.1.1']]);
    expect(ipam.result('default/s')).toMatchObject({ ok: true, pool: 'b' });
    // the old address is free again
    ipam.upsertService(svc('t', { annotations: { 'edgelb.io/pool': 'a' } }));
    expect(summary(ipam.result('default/t'))).toEqual(['10.0.0.1']);
  });
});
