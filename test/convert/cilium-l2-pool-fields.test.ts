/**
 * CiliumL2AnnouncementPolicy and CiliumLoadBalancerIPPool field by field: empty selectors and
 * interface lists leave no key, unknown fields are named, allowFirstLastIPs Yes/No/other, and
 * a pool with no block at all.
 */
import { describe, expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';

const l2 = (spec: Record<string, unknown>) => ({
  apiVersion: 'cilium.io/v2alpha1',
  kind: 'CiliumL2AnnouncementPolicy',
  metadata: { name: 'l2' },
  spec: { loadBalancerIPs: true, ...spec },
});

const pool = (spec: Record<string, unknown>, apiVersion = 'cilium.io/v2') => ({
  apiVersion,
  kind: 'CiliumLoadBalancerIPPool',
  metadata: { name: 'p' },
  spec,
});

describe('CiliumL2AnnouncementPolicy', () => {
  test('empty selectors and no interfaces: an empty spec, silently', () => {
    const r = convertManifests([l2({ nodeSelector: {}, serviceSelector: { matchLabels: {} } })]);
    expect(r).toStrictEqual({
      objects: [
        {
          apiVersion: 'edgelb.io/v1alpha1',
          kind: 'L2AnnouncementPolicy',
          metadata: { name: 'l2' },
          spec: {},
        },
      ],
      warnings: [],
      errors: [],
    });
  });

  test('selectors and interfaces carry over; an unknown field is named', () => {
    const r = convertManifests([
      l2({
        nodeSelector: { matchLabels: { l2: 'yes' } },
        interfaces: ['^eth[0-9]+'],
        externalIPs: false,
        leaseDuration: '15s',
      }),
    ]);
    expect(r.objects).toStrictEqual([
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'L2AnnouncementPolicy',
        metadata: { name: 'l2' },
        spec: { nodeSelector: { matchLabels: { l2: 'yes' } }, interfaces: ['^eth[0-9]+'] },
      },
    ]);
    expect(r.warnings).toEqual([
      {
        object: 'CiliumL2AnnouncementPolicy/l2',
        field: 'spec.leaseDuration',
        message: 'is not a field edgelb knows; dropped',
      },
    ]);
  });
});

describe('CiliumLoadBalancerIPPool', () => {
  const cases: [unknown, boolean][] = [
    ['Yes', true],
    ['No', false],
  ];
  for (const [given, want] of cases)
    test(`allowFirstLastIPs ${given} -> ${want}`, () => {
      const r = convertManifests([pool({ blocks: [{ cidr: '10.0.0.0/30' }], allowFirstLastIPs: given })]);
      expect(r.errors).toEqual([]);
      expect(r.objects).toStrictEqual([
        {
          apiVersion: 'edgelb.io/v1alpha1',
          kind: 'LoadBalancerIPPool',
          metadata: { name: 'p' },
          spec: { blocks: [{ cidr: '10.0.0.0/30' }], allowFirstLastIPs: want },
        },
      ]);
    });

  test('allowFirstLastIPs other than Yes or No is an error', () => {
    const r = convertManifests([pool({ blocks: [{ cidr: '10.0.0.0/30' }], allowFirstLastIPs: 'yes' })]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      {
        object: 'CiliumLoadBalancerIPPool/p',
        field: 'spec.allowFirstLastIPs',
        message: 'must be Yes or No, got "yes"',
      },
    ]);
  });

  test('no cidrs and no blocks: one error', () => {
    for (const spec of [{}, { blocks: [] }, { cidrs: [] }]) {
      const r = convertManifests([pool(spec, 'cilium.io/v2alpha1')]);
      expect(r.objects).toEqual([]);
      expect(r.errors).toEqual([
        {
          object: 'CiliumLoadBalancerIPPool/p',
          field: 'spec.blocks',
          message: 'the pool has no cidrs or blocks',
        },
      ]);
    }
  });
});
