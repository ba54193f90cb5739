/**
 * MetalLB L2Advertisement at the edges: one interface, and the wording of a pool selector
 * resolved (with --allow-lossy) to one pool, or to none beside named pools.
 */
import { expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';
import { exactInterface } from '../../agent/convert/metallb-l2.ts';

const NS = 'metallb-system';
const pool = (name: string, labels?: Record<string, string>) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: labels ? { name, namespace: NS, labels } : { name, namespace: NS },
  spec: { addresses: ['10.0.0.0/30'] },
});
const l2 = (spec: Record<string, unknown>) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'L2Advertisement',
  metadata: { name: 'l2', namespace: NS },
  spec,
});

test('one interface is carried over, anchored', () => {
  expect(exactInterface('eth0.10')).toBe('^eth0\\.10$');
  const r = convertManifests([l2({ interfaces: ['eth0'] })]);
  expect(r.errors).toEqual([]);
  expect(r.objects).toStrictEqual([
    {
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'L2AnnouncementPolicy',
      metadata: { name: 'l2' },
      spec: { interfaces: ['^eth0$'] },
    },
  ]);
});

const SELECTOR_NOTE = (to: string) =>
  `edgelb names pools, it does not select them by label: resolved against the pools of the input to ${to}; a pool labelled later is not announced (converted anyway: --allow-lossy)`;

test('a selector matching one pool names it', () => {
  const r = convertManifests(
    [
      pool('a', { tier: 'web' }),
      pool('b'),
      l2({ ipAddressPoolSelectors: [{ matchLabels: { tier: 'web' } }] }),
    ],
    { allowLossy: true },
  );
  expect(r.errors).toEqual([]);
  expect(r.warnings).toEqual([
    { object: 'L2Advertisement/l2', field: 'spec.ipAddressPoolSelectors', message: SELECTOR_NOTE('a') },
  ]);
  expect(r.objects.filter((o) => o.kind === 'L2AnnouncementPolicy').map((o) => o.spec)).toEqual([
    { pools: ['a'] },
  ]);
});

test('a selector matching nothing beside named pools says none', () => {
  const r = convertManifests(
    [
      pool('a'),
      pool('b'),
      l2({ ipAddressPools: ['b'], ipAddressPoolSelectors: [{ matchLabels: { tier: 'web' } }] }),
    ],
    { allowLossy: true },
  );
  expect(r.errors).toEqual([]);
  expect(r.warnings).toEqual([
    { object: 'L2Advertisement/l2', field: 'spec.ipAddressPoolSelectors', message: SELECTOR_NOTE('none') },
  ]);
  expect(r.objects.filter((o) => o.kind === 'L2AnnouncementPolicy').map((o) => o.spec)).toEqual([
    { pools: ['b'] },
  ]);
});
