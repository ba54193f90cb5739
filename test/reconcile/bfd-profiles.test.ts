/** Resolving a neighbor's bfdProfile in the plan, and the BFDProfileResolved condition. */
import { describe, expect, test } from 'bun:test';
import type { BFDProfile } from '../../agent/api/bfd-profile.ts';
import type { BGPPeeringPolicy } from '../../agent/api/v1alpha1.ts';
import { planAnnouncements } from '../../agent/reconcile/plan/announce.ts';
import { bfdProfileCondition, profilesByName } from '../../agent/reconcile/plan/bfd-profiles.ts';

const profile = (name: string, spec: BFDProfile['spec'] = {}): BFDProfile => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BFDProfile',
  metadata: { name },
  spec,
});

function policy(
  neighbors: BGPPeeringPolicy['spec']['virtualRouters'][number]['neighbors'],
): BGPPeeringPolicy {
  return {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'BGPPeeringPolicy',
    metadata: { name: 'p' },
    spec: { virtualRouters: [{ localASN: 65001, neighbors, serviceSelector: {} }] },
  } as BGPPeeringPolicy;
}

const plan = (p: BGPPeeringPolicy, profiles: BFDProfile[]) =>
  planAnnouncements({
    nodeName: 'worker',
    nodeLabels: {},
    policies: [p],
    services: [],
    endpointSlices: [],
    secrets: new Map(),
    defaultSecretNamespace: 'default',
    bfdProfiles: profiles,
  });

describe('bfdProfile in the announce plan', () => {
  const p = policy([
    { peerASN: 65000, peerAddress: '192.168.2.1/32', bfdProfile: 'fast' },
    { peerASN: 65000, peerAddress: 'fd00:2::1/128', bfdProfile: 'fast' },
    { peerASN: 65010, peerAddress: '10.9.9.9/32', eBGPMultihopTTL: 3, bfdProfile: 'far' },
    { peerASN: 65000, peerAddress: '192.168.2.2/32' },
  ]);

  test('found: the peer carries the profile timers (defaults filled in); multihop for eBGPMultihopTTL', () => {
    const r = plan(p, [
      profile('fast', { receiveIntervalMilliseconds: 200, transmitIntervalMilliseconds: 250 }),
      profile('far', { minimumTtl: 250, detectMultiplier: 5 }),
    ]);
    expect(r.peers.length).toBe(4);
    expect(r.problems.get('p')).toEqual([]);
    expect(r.bfd).toEqual([
      {
        peerId: '192.168.2.1',
        peerAddress: '192.168.2.1',
        multihop: false,
        profileName: 'fast',
        profile: {
          receiveIntervalMs: 200,
          transmitIntervalMs: 250,
          detectMultiplier: 3,
          passiveMode: false,
          minimumTtl: 254,
        },
      },
      expect.objectContaining({ peerAddress: 'fd00:2::1', multihop: false, profileName: 'fast' }),
      expect.objectContaining({
        peerAddress: '10.9.9.9',
        multihop: true,
        profile: expect.objectContaining({ minimumTtl: 250, detectMultiplier: 5, receiveIntervalMs: 300 }),
      }),
    ]);
  });

  test('missing: the peers still run (no problem, policy stays Valid), without BFD', () => {
    const r = plan(p, [profile('fast')]);
    expect(r.peers.length).toBe(4);
    expect(r.problems.get('p')).toEqual([]);
    expect(r.bfd.map((b) => b.peerAddress)).toEqual(['192.168.2.1', 'fd00:2::1']);
    expect(plan(p, []).bfd).toEqual([]);
  });

  test('BFDProfileResolved names the missing profiles; absent when no neighbor names one', () => {
    expect(bfdProfileCondition(p, profilesByName([profile('fast')]))).toMatchObject({
      type: 'BFDProfileResolved',
      status: 'False',
      reason: 'ProfileNotFound',
      message: expect.stringContaining('far not found'),
    });
    expect(bfdProfileCondition(p, profilesByName([profile('fast'), profile('far')]))).toMatchObject({
      type: 'BFDProfileResolved',
      status: 'True',
    });
    expect(
      bfdProfileCondition(policy([{ peerASN: 1, peerAddress: '192.0.2.1/32' }]), profilesByName([])),
    ).toBeUndefined();
  });

  test('a policy that stops naming a profile loses a stale "not found" (True/NotUsed)', () => {
    const before = policy([{ peerASN: 1, peerAddress: '192.0.2.1/32' }]);
    before.status = {
      conditions: [
        {
          type: 'BFDProfileResolved',
          status: 'False',
          reason: 'ProfileNotFound',
          message: 'BFDProfile far not found',
          lastTransitionTime: '2026-12-06T00:00:00Z',
        },
      ],
    };
    expect(bfdProfileCondition(before, profilesByName([]))).toEqual({
      type: 'BFDProfileResolved',
      status: 'True',
      reason: 'NotUsed',
      message: 'no neighbor names a BFDProfile',
    });
  });
});
