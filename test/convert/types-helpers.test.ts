/** The shared helpers of convert: names must be non-empty strings, empty labels are no labels, numeric strings are integers. */
import { expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';
import { intIn, metaLabels, metaName } from '../../agent/convert/types.ts';

test('metaName: a non-empty string only', () => {
  expect(metaName({ metadata: { name: 'p' } })).toBe('p');
  expect(metaName({ metadata: { name: '' } })).toBeUndefined();
  expect(metaName({ metadata: { name: 5 } })).toBeUndefined();
  expect(metaName({})).toBeUndefined();
  const r = convertManifests([
    { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: { name: 5 }, spec: {} },
  ]);
  expect(r.errors).toEqual([
    { object: 'CiliumLoadBalancerIPPool/(unnamed)', field: 'metadata.name', message: 'is required' },
  ]);
});

test('metaLabels: empty labels are no labels; values become strings', () => {
  expect(metaLabels({ metadata: { labels: {} } })).toBeUndefined();
  expect(metaLabels({ metadata: { labels: { a: 1 } } })).toEqual({ a: '1' });
  const r = convertManifests([
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumLoadBalancerIPPool',
      metadata: { name: 'p', labels: {} },
      spec: { blocks: [{ cidr: '10.0.0.0/30' }] },
    },
  ]);
  expect(r.objects[0]?.metadata).toStrictEqual({ name: 'p' });
});

test('intIn: numbers and numeric strings within bounds', () => {
  expect(intIn('65000', 1, 65535)).toBe(65000);
  expect(intIn(' 7 ', 1, 65535)).toBe(7);
  expect(intIn(65000, 1, 65535)).toBe(65000);
  expect(intIn('6.5', 1, 65535)).toBeUndefined();
  expect(intIn('-1', -5, 65535)).toBeUndefined();
  expect(intIn(1.5, 1, 65535)).toBeUndefined();
  expect(intIn('65536', 1, 65535)).toBeUndefined();
});
