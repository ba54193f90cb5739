/** Why a Service has no IP, word for word (claim-rules.ts noPoolWhy and the exhausted message). */
import { expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import type { PoolSpec, ServiceView } from '../../agent/ipam/types.ts';
import { pool, svc } from './builders.ts';

function why(pools: PoolSpec[], s: ServiceView, before: ServiceView[] = []): [string | string[], string] {
  const ipam = new Ipam();
  for (const p of pools) ipam.upsertPool(p);
  for (const b of before) ipam.upsertService(b);
  ipam.upsertService(s);
  const r = ipam.result(s.key);
  if (!r) throw new Error('no result');
  return [r.ok ? r.ips : r.reason, r.message];
}

const asks = (name: string) => ({ annotations: { 'edgelb.io/pool': name } });

test.each<[string, () => [string | string[], string], [string | string[], string]]>([
  [
    'the requested pool does not exist',
    () => why([pool('a', ['10.0.0.0/30'])], svc('s1', asks('zz'))),
    ['no-matching-pool', 'the requested pool zz does not exist'],
  ],
  [
    'the requested pool has no block of the family',
    () => why([pool('a', ['10.0.0.0/30'])], svc('s2', { ...asks('a'), ipFamilies: ['IPv6'] })),
    ['no-matching-pool', 'the requested pool a has no IPv6 block'],
  ],
  [
    'the requested pool does not select the Service',
    () =>
      why(
        [pool('a', ['10.0.0.0/30'], { serviceSelector: { matchLabels: { t: 'x' } } })],
        svc('s3', asks('a')),
      ),
    ['no-matching-pool', "the requested pool a's serviceSelector does not match the Service"],
  ],
  [
    'the requested pool is disabled',
    () => why([pool('a', ['10.0.0.0/30'], { disabled: true })], svc('s4', asks('a'))),
    ['no-matching-pool', 'the requested pool a is disabled'],
  ],
  [
    'no pool of the family',
    () => why([pool('a', ['10.0.0.0/30'])], svc('s5', { ipFamilies: ['IPv6'] })),
    ['no-matching-pool', 'no pool with IPv6 addresses selects the Service'],
  ],
  [
    'every selecting pool unavailable, each with its reason',
    () =>
      why(
        [pool('a', ['10.0.0.0/30'], { disabled: true }), pool('b', ['10.0.1.0/30'], { autoAssign: false })],
        svc('s6'),
      ),
    [
      'no-matching-pool',
      'every pool that selects the Service is unavailable (a: is disabled; b: autoAssign is false)',
    ],
  ],
  [
    'one pool full',
    () => why([pool('a', ['10.0.0.1/32'], { allowFirstLastIPs: true })], svc('s7'), [svc('s0')]),
    ['pool-exhausted', 'pool a has no free IPv4 address'],
  ],
  [
    'two pools full',
    () =>
      why(
        [
          pool('a', ['10.0.0.1/32'], { allowFirstLastIPs: true }),
          pool('b', ['10.0.1.1/32'], { allowFirstLastIPs: true }),
        ],
        svc('s8'),
        [svc('s0'), svc('s01')],
      ),
    ['pool-exhausted', 'pools a, b have no free IPv4 address'],
  ],
  [
    'no ipFamilies means IPv4',
    () => why([pool('a', ['fd00::/126'])], svc('s9', { ipFamilies: [] })),
    ['no-matching-pool', 'no pool with IPv4 addresses selects the Service'],
  ],
])('%s', (_name, run, want) => {
  expect(run()).toEqual(want);
});

test('a pool with an invalid serviceSelector is skipped with its reason, never evaluated', () => {
  const ipam = new Ipam();
  const bad = { matchExpressions: [{ key: 't', operator: 'Bogus' as 'In', values: [] }] };
  ipam.upsertPool(pool('bad', ['10.0.0.0/30'], { serviceSelector: bad }));
  ipam.upsertPool(pool('good', ['10.0.1.0/30']));
  ipam.upsertService(svc('s'));
  ipam.upsertService(svc('t', asks('bad')));
  expect(ipam.results().map((r) => [r.key, r.ok ? r.ips : r.message])).toEqual([
    ['default/s', ['10.0.1.1']],
    [
      'default/t',
      'the requested pool bad is invalid (spec.serviceSelector: matchExpressions[0] (key "t"): unknown operator "Bogus")',
    ],
  ]);
});
