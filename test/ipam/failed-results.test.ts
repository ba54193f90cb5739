/** Ipam.failedResults(): exactly the Services without an address, whatever the reason. */
import { expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { pool, svc } from './builders.ts';

test('failedResults lists every result that is not ok, and only those, as results() has them', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('a', ['10.0.0.0/31']));
  for (const k of ['s1', 's2', 's3']) ipam.upsertService(svc(k));
  ipam.upsertService(svc('asks-missing', { annotations: { 'edgelb.io/pool': 'zz' } }));
  ipam.upsertService(svc('v6', { ipFamilies: ['IPv6'] }));
  const failed = [...ipam.failedResults()].sort((x, y) => x.key.localeCompare(y.key));
  expect(failed).toEqual(ipam.results().filter((r) => !r.ok));
  expect(failed.map((r) => [r.key, r.reason])).toEqual([
    ['default/asks-missing', 'no-matching-pool'],
    ['default/s3', 'pool-exhausted'],
    ['default/v6', 'no-matching-pool'],
  ]);
  // Freed space: s3 gets the address, and leaves the list.
  ipam.deleteService('default/s1');
  expect([...ipam.failedResults()].map((r) => r.key).sort()).toEqual(['default/asks-missing', 'default/v6']);
  expect([...new Ipam().failedResults()]).toEqual([]);
});
