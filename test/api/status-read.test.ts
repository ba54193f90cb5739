/**
 * agent/api/schema/resource.ts and object.ts: a resource's status is read back leniently (good
 * fields kept, bad ones dropped silently), metadata of a cluster-scoped kind keeps no namespace,
 * and string and selector limits are reported with their exact text.
 */
import { describe, expect, test } from 'bun:test';
import { poolResource } from '../../agent/api/pool.ts';
import { resource } from '../../agent/api/schema/resource.ts';
import { labelSelector } from '../../agent/api/shared-fields.ts';
import type { LabelSelector } from '../../agent/api/v1alpha1.ts';
import { formatProblem } from '../../agent/api/validate/fields.ts';

const pool = (extra: Record<string, unknown>) => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'blog' },
  spec: { blocks: [{ cidr: '10.0.0.0/30' }] },
  ...extra,
});

const GOOD = {
  type: 'Ready',
  status: 'True',
  reason: 'Allocated',
  message: 'ok',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};

describe('status read back leniently', () => {
  test('good fields are kept, bad ones dropped, without a problem', () => {
    const r = poolResource.validate(
      pool({
        status: {
          ipsTotal: '4',
          ipsUsed: 'four',
          ipsAvailable: 3,
          heldCount: 2,
          blocks: '10.0.0.0/30',
          held: [{ namespace: 'a', name: 'b', ip: '10.0.0.1', expires: 'x' }],
          // conditions go through their own lenient reader: a condition without a reason is kept
          conditions: [GOOD, { type: 'Valid', status: 'False' }, { type: 'Bad' }],
          somethingElse: 1,
        },
      }),
    );
    expect(r.ok && (r.value.status as unknown)).toStrictEqual({
      ipsTotal: '4',
      heldCount: 2,
      blocks: '10.0.0.0/30',
      held: [{ namespace: 'a', name: 'b', ip: '10.0.0.1', expires: 'x' }],
      conditions: [GOOD, { type: 'Valid', status: 'False' }],
    });
  });

  test('a status field whose lenient reader finds nothing leaves no key', () => {
    const r = poolResource.validate(pool({ status: { conditions: 'none', ipsTotal: '1' } }));
    expect(r.ok && r.value.status).toStrictEqual({ ipsTotal: '1' });
  });

  test('an absent or non-mapping status leaves no status key', () => {
    for (const extra of [{}, { status: 'x' }, { status: null }]) {
      const r = poolResource.validate(pool(extra));
      expect(r.ok).toBe(true);
      expect(r.ok && 'status' in r.value).toBe(false);
    }
  });

  test('a kind without a status definition refuses a status key', () => {
    const plain = resource<{
      apiVersion: 'edgelb.io/v1alpha1';
      kind: 'Plain';
      metadata: { name: string };
      spec: LabelSelector;
    }>({ kind: 'Plain', description: 'd', spec: labelSelector('s') });
    const r = plain.validate({ kind: 'Plain', metadata: { name: 'p' }, spec: {}, status: {} });
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual(['status: unknown field']);
    expect(poolResource.validate(pool({ status: {} })).ok).toBe(true);
  });
});

describe('metadata of a cluster-scoped kind', () => {
  test('a namespace is neither checked nor kept', () => {
    const r = poolResource.validate(pool({ metadata: { name: 'blog', namespace: 'Not_A_Name', uid: 'u' } }));
    expect(r.ok && r.value.metadata).toStrictEqual({ name: 'blog', uid: 'u' });
  });
});

describe('string and selector limits', () => {
  const sel = (matchExpressions: unknown[]) =>
    pool({ spec: { blocks: [{ cidr: '10.0.0.0/30' }], serviceSelector: { matchExpressions } } });
  const problems = (input: unknown) => {
    const r = poolResource.validate(input);
    return r.ok ? [] : r.problems.map(formatProblem);
  };

  test('a label key of 317 characters is accepted, 318 refused with the count', () => {
    expect(problems(sel([{ key: 'k'.repeat(317), operator: 'Exists' }]))).toEqual([]);
    expect(problems(sel([{ key: 'k'.repeat(318), operator: 'Exists' }]))).toEqual([
      'spec.serviceSelector.matchExpressions[0].key: must be at most 317 characters, got 318',
    ]);
  });

  test('In and NotIn need values, absent or empty alike; Exists and DoesNotExist take none', () => {
    expect(
      problems(
        sel([
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'NotIn', values: [] },
        ]),
      ),
    ).toEqual([
      'spec.serviceSelector.matchExpressions[0].values: must not be empty for operator In',
      'spec.serviceSelector.matchExpressions[1].values: must not be empty for operator NotIn',
    ]);
    expect(problems(sel([{ key: 'a', operator: 'DoesNotExist', values: ['x'] }]))).toEqual([
      'spec.serviceSelector.matchExpressions[0].values: must be empty for operator DoesNotExist',
    ]);
    const r = poolResource.validate(sel([{ key: 'a', operator: 'Exists', values: [] }]));
    expect(r.ok && r.value.spec.serviceSelector).toStrictEqual({
      matchExpressions: [{ key: 'a', operator: 'Exists' }],
    });
  });
});
