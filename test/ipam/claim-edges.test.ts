/** Edges of the claim rules (agent/ipam/claim-rules.ts): taking back a hold, the lowest partner address. */
import { expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { pool, summary, svc } from './builders.ts';

test('a Service re-created within its hold takes its held address back, even when an older pool has room again', () => {
  const ipam = new Ipam({ now: () => Date.UTC(2026, 5, 1) });
  ipam.upsertPool(pool('a', ['10.0.0.1-10.0.0.1']));
  ipam.upsertPool(pool('p', ['10.0.1.1-10.0.1.2'], { releaseDelaySeconds: 600 }));
  ipam.upsertService(svc('x'));
  ipam.upsertService(svc('s'));
  expect([summary(ipam.result('default/x')), summary(ipam.result('default/s'))]).toEqual([
    ['10.0.0.1'],
    ['10.0.1.1'],
  ]);
  ipam.deleteService('default/s');
  ipam.deleteService('default/x'); // pool a has no delay: 10.0.0.1 is free at once
  expect(ipam.holds().map((h) => `${h.ip}=${h.name}`)).toEqual(['10.0.1.1=s']);
  expect(ipam.upsertService(svc('s')).map(summary)).toEqual([['10.0.1.1']]);
  expect(ipam.holds()).toEqual([]);
});

test('a new partner under a sharing key gets the lowest address the key holds, whatever the order they came in', () => {
  for (const order of [
    ['10.0.0.5', '10.0.0.3', '10.0.0.4'],
    ['10.0.0.4', '10.0.0.5', '10.0.0.3'],
    ['10.0.0.3', '10.0.0.5', '10.0.0.4'],
  ]) {
    const ipam = new Ipam();
    ipam.upsertPool(pool('p', ['10.0.0.0/29']));
    const keyed = (name: string, port: number, ip?: string) =>
      svc(name, {
        annotations: { 'edgelb.io/sharing-key': 'k', ...(ip ? { 'edgelb.io/ips': ip } : {}) },
        ports: [{ port, protocol: 'TCP' }],
      });
    // Explicit addresses under one key (same port: they cannot share, so each keeps its own).
    for (const [i, ip] of order.entries()) ipam.upsertService(keyed(`e${i}`, 80, ip));
    expect({ order, got: ipam.upsertService(keyed('n', 81)).map(summary) }).toEqual({
      order,
      got: [['10.0.0.3']],
    });
  }
});
