/**
 * kube-vip's ConfigMap at the edges: only kube-system/kubevip's name is read as one, the
 * wording for sharing keys and for other keys, and the global pool's selector with no or one
 * namespace range beside it.
 */
import { expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';
import { isKubeVipConfigMap } from '../../agent/convert/kube-vip.ts';

const cm = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'kube-system' },
  data,
});

test('a ConfigMap with another name is not kube-vip’s', () => {
  expect(isKubeVipConfigMap(cm('other', {}))).toBe(false);
  expect(isKubeVipConfigMap({ ...cm('kubevip', {}), kind: 'Secret' })).toBe(false);
  expect(isKubeVipConfigMap({ ...cm('kubevip', {}), apiVersion: 'v2' })).toBe(false);
  expect(isKubeVipConfigMap(cm('kubevip', {}))).toBe(true);
  const r = convertManifests([cm('other', { 'cidr-global': '10.0.0.0/30' })]);
  expect(r).toStrictEqual({
    objects: [],
    warnings: [
      {
        object: 'ConfigMap/other',
        field: '',
        message: 'not a Cilium or MetalLB resource edgelb converts; skipped',
      },
    ],
    errors: [],
  });
});

test('sharing keys and other keys are dropped with their own words', () => {
  const r = convertManifests([
    cm('kubevip', { 'allow-share-dev': 'true', 'loadbalancer-class': 'x', 'cidr-global': '10.0.0.0/30' }),
  ]);
  expect(r.warnings).toEqual([
    {
      object: 'ConfigMap/kubevip',
      field: 'data.allow-share-dev',
      message: 'edgelb shares an IP only between Services with the same edgelb.io/sharing-key; dropped',
    },
    {
      object: 'ConfigMap/kubevip',
      field: 'data.loadbalancer-class',
      message: 'is not a kube-vip range edgelb converts; dropped',
    },
  ]);
});

test('the global range alone serves every namespace: no selector', () => {
  const r = convertManifests([cm('kubevip', { 'cidr-global': '10.0.0.0/30' })]);
  expect(r.objects).toStrictEqual([
    {
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'kubevip-global' },
      spec: { blocks: [{ cidr: '10.0.0.0/30' }] },
    },
  ]);
});

test('with one namespace range, the global pool leaves that namespace out', () => {
  const r = convertManifests([cm('kubevip', { 'cidr-global': '10.0.0.0/30', 'cidr-dev': '10.0.1.0/30' })]);
  expect(
    r.objects.map((o) => [o.metadata.name, o.kind === 'LoadBalancerIPPool' && o.spec.serviceSelector]),
  ).toEqual([
    ['kubevip-dev', { matchLabels: { 'io.kubernetes.service.namespace': 'dev' } }],
    [
      'kubevip-global',
      { matchExpressions: [{ key: 'io.kubernetes.service.namespace', operator: 'NotIn', values: ['dev'] }] },
    ],
  ]);
});

test('no range key at all: no pool, and a warning that says so', () => {
  const r = convertManifests([cm('kubevip', {})]);
  expect(r).toStrictEqual({
    objects: [],
    warnings: [
      {
        object: 'ConfigMap/kubevip',
        field: 'data',
        message: 'holds no cidr-* or range-* key: no pool converted',
      },
    ],
    errors: [],
  });
});
