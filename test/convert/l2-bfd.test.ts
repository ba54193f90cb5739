/**
 * edgelb convert for BFD and L2: MetalLB BFDProfile and BGPPeer.bfdProfile, MetalLB
 * L2Advertisement and Cilium CiliumL2AnnouncementPolicy. Each fixture's exact objects and
 * notes, faithful and lossy, with and without allowLossy; every object passes edgelb's
 * own validators.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  validateBfdProfile,
  validateL2Policy,
  validatePolicy,
  validatePool,
} from '../../agent/api/validate/resources.ts';
import { parseManifests } from '../../agent/cli/convert.ts';
import { type ConvertResult, convertManifests } from '../../agent/convert/convert.ts';
import { exactInterface } from '../../agent/convert/metallb-l2.ts';

const FIXTURES = join(import.meta.dir, '..', 'fixtures', 'convert');
const load = (name: string) => parseManifests(readFileSync(join(FIXTURES, name), 'utf8'), name);
const V = 'edgelb.io/v1alpha1';
const notes = (list: ConvertResult['warnings']) => list.map((w) => `${w.object} ${w.field}: ${w.message}`);
const names = (r: ConvertResult) => r.objects.map((o) => `${o.kind}/${o.metadata.name}`);

function expectValid(r: ConvertResult): void {
  for (const o of r.objects) {
    const validate = {
      LoadBalancerIPPool: validatePool,
      BGPPeeringPolicy: validatePolicy,
      BFDProfile: validateBfdProfile,
      L2AnnouncementPolicy: validateL2Policy,
    }[o.kind];
    const v = validate(o);
    expect(v.ok ? [] : v.problems).toEqual([]);
  }
}

describe('MetalLB BFDProfile and BGPPeer.bfdProfile', () => {
  test('every timer carries over in milliseconds; echo is dropped with a warning; peers keep the name', () => {
    const r = convertManifests(load('metallb-bfd.yaml'));
    expect(r.errors).toEqual([]);
    expect(names(r)).toEqual(['LoadBalancerIPPool/bgp', 'BFDProfile/fast', 'BGPPeeringPolicy/all']);
    expect(r.objects[1]).toEqual({
      apiVersion: V,
      kind: 'BFDProfile',
      metadata: { name: 'fast' },
      spec: {
        receiveIntervalMilliseconds: 100,
        transmitIntervalMilliseconds: 150,
        detectMultiplier: 5,
        minimumTtl: 10,
        passiveMode: true,
      },
    });
    const policy = r.objects[2];
    expect(policy?.kind === 'BGPPeeringPolicy' && policy.spec.virtualRouters[0]?.neighbors).toEqual([
      { peerAddress: '10.0.0.1', peerASN: 64501, bfdProfile: 'fast' },
      { peerAddress: '10.0.0.2', peerASN: 64501, bfdProfile: 'slow' },
    ]);
    expect(notes(r.warnings)).toEqual([
      'BFDProfile/fast spec.echoMode: edgelb has no BFD echo mode; control packets alone detect a dead link (which does not change where traffic goes); echoMode and echoInterval dropped',
      'BGPPeer/tor-b spec.bfdProfile: no BFDProfile "slow" in the input: edgelb runs this neighbor without BFD until one with that name exists',
    ]);
    expectValid(r);
  });

  test('an echoInterval without echoMode changes nothing and is dropped silently; out-of-range timers are errors', () => {
    const profile = (spec: Record<string, unknown>) => ({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BFDProfile',
      metadata: { name: 'p' },
      spec,
    });
    const quiet = convertManifests([profile({ echoInterval: 50, echoMode: false })]);
    expect(quiet.warnings).toEqual([]);
    expect(quiet.objects).toEqual([{ apiVersion: V, kind: 'BFDProfile', metadata: { name: 'p' }, spec: {} }]);
    const bad = convertManifests([profile({ receiveInterval: 5, minimumTtl: 255, passiveMode: 'yes' })]);
    expect(bad.objects).toEqual([]);
    expect(notes(bad.errors)).toEqual([
      'BFDProfile/p spec.receiveInterval: must be an integer 10..60000, got 5',
      'BFDProfile/p spec.minimumTtl: must be an integer 1..254, got 255',
      'BFDProfile/p spec.passiveMode: must be true or false, got "yes"',
    ]);
  });
});

describe('MetalLB L2Advertisement', () => {
  test('pools, interfaces as anchored regexes, one policy per node selector, an empty spec selects everything', () => {
    const r = convertManifests(load('metallb-l2.yaml'));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.objects.slice(2)).toEqual([
      {
        apiVersion: V,
        kind: 'L2AnnouncementPolicy',
        metadata: { name: 'lan-only' },
        spec: {
          nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'pi4' } },
          pools: ['lan'],
          interfaces: ['^eth0$', '^eth0\\.100$'],
        },
      },
      // MetalLB ORs node selectors: one policy each answers on the same nodes.
      {
        apiVersion: V,
        kind: 'L2AnnouncementPolicy',
        metadata: { name: 'dmz-1' },
        spec: { nodeSelector: { matchLabels: { zone: 'dmz-a' } }, pools: ['dmz'] },
      },
      {
        apiVersion: V,
        kind: 'L2AnnouncementPolicy',
        metadata: { name: 'dmz-2' },
        spec: {
          nodeSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['dmz-b'] }] },
          pools: ['dmz'],
        },
      },
      { apiVersion: V, kind: 'L2AnnouncementPolicy', metadata: { name: 'everything' }, spec: {} },
    ]);
    expectValid(r);
  });

  test('an interface name matches itself only', () => {
    for (const name of ['eth0', 'eth0.100', 'br-lan', 'enp1s0f0+x', 'wg(0)']) {
      const re = new RegExp(exactInterface(name));
      expect(re.test(name)).toBe(true);
      expect(re.test(`${name}1`)).toBe(false);
      expect(re.test(`x${name}`)).toBe(false);
    }
    expect(new RegExp(exactInterface('eth0.100')).test('eth0x100')).toBe(false);
  });

  test('an empty node selector among several matches every node: one policy without nodeSelector', () => {
    const r = convertManifests([
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'L2Advertisement',
        metadata: { name: 'l2' },
        spec: { nodeSelectors: [{ matchLabels: { a: 'b' } }, {}] },
      },
    ]);
    expect(r.objects).toEqual([
      { apiVersion: V, kind: 'L2AnnouncementPolicy', metadata: { name: 'l2' }, spec: {} },
    ]);
  });

  test('ipAddressPoolSelectors are an error by default, naming object and field; nothing converts', () => {
    const r = convertManifests(load('metallb-l2-lossy.yaml'));
    expect(notes(r.errors)).toEqual([
      'L2Advertisement/by-label spec.ipAddressPoolSelectors: edgelb names pools, it does not select them by label; list them in ipAddressPools instead; --allow-lossy converts it anyway',
      'L2Advertisement/no-match spec.ipAddressPoolSelectors: edgelb names pools, it does not select them by label; list them in ipAddressPools instead; --allow-lossy converts it anyway',
    ]);
    expect(names(r).filter((n) => n.startsWith('L2'))).toEqual([]);
  });

  test('with allowLossy the selectors resolve against the input’s pools; one that matches none is not widened to every pool', () => {
    const r = convertManifests(load('metallb-l2-lossy.yaml'), { allowLossy: true });
    expect(r.errors).toEqual([]);
    expect(r.objects.slice(3)).toEqual([
      {
        apiVersion: V,
        kind: 'L2AnnouncementPolicy',
        metadata: { name: 'by-label' },
        spec: { pools: ['lan-a', 'lan-b'] },
      },
    ]);
    expect(notes(r.warnings)).toEqual([
      'L2Advertisement/by-label spec.ipAddressPoolSelectors: edgelb names pools, it does not select them by label: resolved against the pools of the input to lan-a, lan-b; a pool labelled later is not announced (converted anyway: --allow-lossy)',
      'L2Advertisement/no-match spec.ipAddressPoolSelectors: edgelb names pools, it does not select them by label, and no IPAddressPool of the input matches; not converted (write spec.pools yourself)',
    ]);
    expectValid(r);
  });

  test('with allowLossy, named pools and selected pools add up; no pools in the input: not converted', () => {
    const ad = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'mixed' },
      spec: { ipAddressPools: ['named'], ipAddressPoolSelectors: [{ matchLabels: { x: 'y' } }] },
    };
    const pool = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'picked', labels: { x: 'y' } },
      spec: { addresses: ['10.0.0.0/30'] },
    };
    const both = convertManifests([pool, ad], { allowLossy: true });
    expect(both.objects[1]).toEqual({
      apiVersion: V,
      kind: 'L2AnnouncementPolicy',
      metadata: { name: 'mixed' },
      spec: { pools: ['named', 'picked'] },
    });
    const alone = convertManifests(
      [{ ...ad, spec: { ipAddressPoolSelectors: [{ matchLabels: { x: 'y' } }] } }],
      {
        allowLossy: true,
      },
    );
    expect(alone.objects).toEqual([]);
    expect(notes(alone.warnings)).toEqual([
      'L2Advertisement/mixed spec.ipAddressPoolSelectors: edgelb names pools, it does not select them by label, and the input holds no IPAddressPool to resolve the selectors against; not converted (write spec.pools yourself)',
    ]);
  });
});

describe('Cilium CiliumL2AnnouncementPolicy', () => {
  test('selectors and interface regexes carry over; externalIPs is a warning', () => {
    const r = convertManifests(load('cilium-l2.yaml'));
    expect(r.errors).toEqual([]);
    expect(r.objects[1]).toEqual({
      apiVersion: V,
      kind: 'L2AnnouncementPolicy',
      metadata: { name: 'policy1' },
      spec: {
        nodeSelector: {
          matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }],
        },
        serviceSelector: { matchLabels: { color: 'blue' } },
        interfaces: ['^eth[0-9]+'],
      },
    });
    expect(notes(r.warnings)).toContain(
      'CiliumL2AnnouncementPolicy/policy1 spec.externalIPs: edgelb announces LoadBalancer IPs only, not Service externalIPs; dropped',
    );
    expectValid(r);
  });

  test('loadBalancerIPs not true would announce more: an error, a warning with allowLossy', () => {
    const strict = convertManifests(load('cilium-l2-lossy.yaml'));
    expect(notes(strict.errors)).toEqual([
      'CiliumL2AnnouncementPolicy/external-only spec.loadBalancerIPs: Cilium announces no LoadBalancer IP with this policy (loadBalancerIPs is not true); edgelb would answer for every LoadBalancer IP it selects; --allow-lossy converts it anyway',
    ]);
    const lossy = convertManifests(load('cilium-l2-lossy.yaml'), { allowLossy: true });
    expect(lossy.errors).toEqual([]);
    expect(names(lossy)).toEqual(['LoadBalancerIPPool/lan', 'L2AnnouncementPolicy/external-only']);
    expect(notes(lossy.warnings)).toContain(
      'CiliumL2AnnouncementPolicy/external-only spec.loadBalancerIPs: Cilium announces no LoadBalancer IP with this policy (loadBalancerIPs is not true); edgelb would answer for every LoadBalancer IP it selects (converted anyway: --allow-lossy)',
    );
    expectValid(lossy);
  });

  test('an interface pattern JavaScript cannot compile is an error naming it', () => {
    const r = convertManifests([
      {
        apiVersion: 'cilium.io/v2alpha1',
        kind: 'CiliumL2AnnouncementPolicy',
        metadata: { name: 'p' },
        spec: { loadBalancerIPs: true, interfaces: ['(?i)^ETH0$'] },
      },
    ]);
    expect(notes(r.errors)).toEqual([
      'CiliumL2AnnouncementPolicy/p spec.interfaces[0]: "(?i)^ETH0$" is not a regular expression edgelb (JavaScript) accepts',
    ]);
  });
});

test('edgelb’s own BFDProfile and L2AnnouncementPolicy pass through in their place', () => {
  const own = [
    { apiVersion: V, kind: 'L2AnnouncementPolicy', metadata: { name: 'l2' }, spec: {} },
    { apiVersion: V, kind: 'BFDProfile', metadata: { name: 'b' }, spec: {} },
    { apiVersion: V, kind: 'LoadBalancerIPPool', metadata: { name: 'p' }, spec: { blocks: [] } },
  ];
  expect(names(convertManifests(own))).toEqual([
    'LoadBalancerIPPool/p',
    'BFDProfile/b',
    'L2AnnouncementPolicy/l2',
  ]);
});
