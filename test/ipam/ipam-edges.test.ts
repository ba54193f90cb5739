/** Edges of the Ipam's events (agent/ipam/ipam.ts): a key listed twice in restore, updates of sharing partners. */
import { expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { pool, summary, svc } from './builders.ts';

test('restore: a key listed twice gives one result, in the first place, from the last view', () => {
  const ipam = new Ipam();
  const first = svc('a', { statusIPs: ['10.0.0.1'] });
  const b = svc('b');
  const last = { ...first, statusIPs: ['10.0.0.3'] };
  const out = ipam.restore([pool('p', ['10.0.0.0/29'])], [first, b, last]);
  expect(out.map((r) => [r.key, summary(r)])).toEqual([
    ['default/a', ['10.0.0.3']],
    ['default/b', ['10.0.0.1']],
  ]);
  expect(ipam.pools()[0]?.used).toBe('2');
});

test('updating one of two sharing partners keeps the shared address findable under the key', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  const keyed = (name: string, port: number, labels: Record<string, string> = {}) =>
    svc(name, { annotations: { 'edgelb.io/sharing-key': 'k' }, ports: [{ port, protocol: 'TCP' }], labels });
  const a = keyed('a', 80);
  ipam.upsertService(a);
  ipam.upsertService(keyed('b', 81));
  ipam.upsertService({ ...a, labels: { tier: 'web' } });
  ipam.deleteService('default/b');
  ipam.upsertService(keyed('c', 82));
  expect([summary(ipam.result('default/a')), summary(ipam.result('default/c'))]).toEqual([
    ['10.0.0.1'],
    ['10.0.0.1'],
  ]);
});

test('a Service leaving a sharing key gives the Services waiting under that key another chance', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  const keyed = (name: string, key: string) =>
    svc(name, { annotations: { 'edgelb.io/sharing-key': key }, ports: [{ port: 80, protocol: 'TCP' }] });
  const a = keyed('a', 'k');
  ipam.upsertService(a);
  ipam.upsertService(keyed('x', 'k'));
  expect(summary(ipam.result('default/x'))).toBe('sharing-conflict');
  const changed = ipam.upsertService({ ...a, annotations: { 'edgelb.io/sharing-key': 'k2' } });
  expect(changed.map((r) => [r.key, summary(r)])).toEqual([['default/x', ['10.0.0.2']]]);
});

test('a Service joining a sharing key gives the Services waiting under it another chance', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.1-10.0.0.1']));
  const a = svc('a', { ports: [{ port: 80, protocol: 'TCP' }] });
  ipam.upsertService(a);
  const x = svc('x', {
    annotations: { 'edgelb.io/sharing-key': 'k' },
    ports: [{ port: 81, protocol: 'TCP' }],
  });
  ipam.upsertService(x);
  expect(summary(ipam.result(x.key))).toBe('pool-exhausted');
  ipam.upsertService({ ...a, annotations: { 'edgelb.io/sharing-key': 'k' } });
  expect(summary(ipam.result(x.key))).toEqual(['10.0.0.1']);
});

test('a release delay of one second holds the address', () => {
  const ipam = new Ipam({ now: () => 0 });
  ipam.upsertPool(pool('p', ['10.0.0.0/30'], { releaseDelaySeconds: 1 }));
  ipam.upsertService(svc('a'));
  ipam.deleteService('default/a');
  expect(ipam.holds().map((h) => [h.ip, h.expires])).toEqual([['10.0.0.1', '1970-01-01T00:00:01Z']]);
});
