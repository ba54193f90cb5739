/** edgelb.io/BGPAttributesValid: False naming the bad annotation, True once fixed, nothing where no advertisement honours annotations. */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { StatusWriter } from '../../agent/api/status.ts';
import type { BGPPeeringPolicy, Condition } from '../../agent/api/v1alpha1.ts';
import { validatePolicy } from '../../agent/api/validate/resources.ts';
import { AttributeConditions } from '../../agent/reconcile/attribute-conditions.ts';
import {
  annotationProblems,
  attributeCondition,
  BGP_ATTRIBUTES_CONDITION,
} from '../../agent/reconcile/plan/attribute-conditions.ts';

function policy(allow: boolean, nodeSelector?: Record<string, string>): BGPPeeringPolicy {
  const v = validatePolicy({
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'BGPPeeringPolicy',
    metadata: { name: 'p' },
    spec: {
      ...(nodeSelector ? { nodeSelector: { matchLabels: nodeSelector } } : {}),
      virtualRouters: [
        {
          localASN: 65001,
          neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000 }],
          advertisements: [
            { serviceSelector: { matchLabels: { tier: 'web' } }, allowServiceAttributes: allow },
          ],
        },
      ],
    },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.value;
}

const svc = (name: string, annotations: Record<string, string>, conditions?: Condition[]): ServiceObject => ({
  metadata: { namespace: 'default', name, labels: { tier: 'web' }, annotations },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] }, ...(conditions ? { conditions } : {}) },
});

const noLog = { debug() {}, info() {}, warn() {}, error() {} } as never;

function fakeWriter(with_ = true) {
  const writes: [string, string, string][] = [];
  const w = {
    writeServiceCondition: with_
      ? async (s: ServiceObject, c: Omit<Condition, 'lastTransitionTime'>) => {
          writes.push([s.metadata.name, c.status, c.message]);
          return true;
        }
      : undefined,
  } as unknown as StatusWriter;
  return { w, writes };
}

describe('BGPAttributesValid', () => {
  test('a bad annotation where allowed: False naming it; the leader decides whatever nodes the policy selects', () => {
    const problems = annotationProblems(
      [policy(true, { peering: 'yes' })],
      [
        svc('bad', { 'edgelb.io/bgp-local-pref': 'high' }),
        svc('good', { 'edgelb.io/bgp-local-pref': '200' }),
      ],
      [],
    );
    expect([...problems.keys()]).toEqual(['default/bad']);
    expect(problems.get('default/bad')?.[0]).toContain('edgelb.io/bgp-local-pref');
  });

  test('where the advertisement does not honour annotations, they are not judged', () => {
    expect(
      annotationProblems([policy(false)], [svc('bad', { 'edgelb.io/bgp-communities': 'x' })], []).size,
    ).toBe(0);
  });

  test('the condition: False with the message, True once fixed, nothing when status already says it', () => {
    const f = attributeCondition(svc('s', {}), ['annotation edgelb.io/bgp-as-path-prepend: must be 0..10']);
    expect(f).toMatchObject({ type: BGP_ATTRIBUTES_CONDITION, status: 'False', reason: 'InvalidAnnotation' });
    expect(f?.message).toContain('edgelb.io/bgp-as-path-prepend');
    expect(f?.message).toContain("announced with the advertisement's attributes");
    const stale = svc('s', {}, [{ ...f!, lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    expect(
      attributeCondition(stale, ['annotation edgelb.io/bgp-as-path-prepend: must be 0..10']),
    ).toBeUndefined();
    expect(attributeCondition(stale, undefined)).toMatchObject({ status: 'True', reason: 'Valid' });
    expect(attributeCondition(svc('never', {}), undefined)).toBeUndefined();
  });

  test('the leader writes False, then True after the fix; a writer without the method is left alone', async () => {
    const { w, writes } = fakeWriter();
    const ac = new AttributeConditions(w, noLog);
    const bad = svc('s', { 'edgelb.io/bgp-communities': '65000:1, 99999:1' });
    await ac.publish([bad], [policy(true)], []);
    expect(writes.map(([n, st]) => [n, st])).toEqual([['s', 'False']]);
    expect(writes[0]![2]).toContain('99999:1');
    const flagged = svc('s', {}, [
      {
        type: BGP_ATTRIBUTES_CONDITION,
        status: 'False',
        reason: 'InvalidAnnotation',
        message: writes[0]![2],
        lastTransitionTime: 'x',
      },
    ]);
    // The advertisement no longer honours annotations: the stale False is cleared.
    await ac.publish([flagged], [policy(false)], []);
    expect(writes.map(([n, st]) => [n, st])).toEqual([
      ['s', 'False'],
      ['s', 'True'],
    ]);
    const none = fakeWriter(false);
    await new AttributeConditions(none.w, noLog).publish([bad], [policy(true)], []);
    expect(none.writes).toEqual([]);
  });
});
