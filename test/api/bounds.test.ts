/** API field bounds on each side of each limit, and the defaults of absent objects. */
import { describe, expect, test } from 'bun:test';
import { validateEndpointSlice, validateNode, validateService } from '../../agent/api/validate/core.ts';
import { looseConditions } from '../../agent/api/validate/fields.ts';
import { formatProblem, validateL2Policy, validatePolicy } from '../../agent/api/validate/resources.ts';

const neighbor = (n: Record<string, unknown>) => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BGPPeeringPolicy',
  metadata: { name: 'rack0' },
  spec: {
    virtualRouters: [{ localASN: 65001, neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000, ...n }] }],
  },
});

describe('BGPPeeringPolicy holdTimeSeconds (RFC 4271 §4.2: 0 or 3..65535)', () => {
  test.each([
    [0, true],
    [1, false],
    [2, false],
    [3, true],
    [65535, true],
    [65536, false],
    [-1, false],
    [9.5, false],
  ])('%p: valid %p', (holdTimeSeconds, ok) => {
    expect(validatePolicy(neighbor({ holdTimeSeconds, keepAliveTimeSeconds: 1 })).ok).toBe(ok);
  });
});

describe('L2AnnouncementPolicy', () => {
  test('an absent spec is an empty one: every node, Service, pool', () => {
    const r = validateL2Policy({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'L2AnnouncementPolicy',
      metadata: { name: 'all' },
    });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.spec).toEqual({});
  });
});

describe('BGPPeeringPolicy neighbor fields at their limits', () => {
  test.each([
    [0, false],
    [1, true],
    [255, true],
    [256, false],
  ])('eBGPMultihopTTL %p: valid %p', (eBGPMultihopTTL, ok) => {
    expect(validatePolicy(neighbor({ eBGPMultihopTTL })).ok).toBe(ok);
  });

  test.each([
    ['65535:65535', '65535:65535'],
    ['0:0', '0:0'],
    ['65536:1', undefined],
    ['1:65536', undefined],
    ['4294967295', '65535:65535'],
    ['65536', '1:0'],
  ])('standard community %p', (text, want) => {
    const r = validatePolicy(neighbor({ advertisedPathAttributes: { communities: { standard: [text] } } }));
    const got = r.ok
      ? r.value.spec.virtualRouters[0]?.neighbors[0]?.advertisedPathAttributes?.communities?.standard?.[0]
      : undefined;
    expect(got).toBe(want);
  });
});

describe('field types', () => {
  test('an integer field refuses a numeric string, a fraction and NaN', () => {
    expect(validatePolicy(neighbor({ holdTimeSeconds: '90' })).ok).toBe(false);
    expect(validatePolicy(neighbor({ holdTimeSeconds: 90.5 })).ok).toBe(false);
    expect(validatePolicy(neighbor({ holdTimeSeconds: Number.NaN })).ok).toBe(false);
    expect(validatePolicy(neighbor({ holdTimeSeconds: 90 })).ok).toBe(true);
    expect(validatePolicy(neighbor({ peerPort: '179' })).ok).toBe(false);
    expect(validatePolicy(neighbor({ peerPort: 179.5 })).ok).toBe(false);
    expect(validatePolicy(neighbor({ peerPort: 179 })).ok).toBe(true);
  });

  test('conditions read back keep only well-formed ones', () => {
    expect(
      looseConditions([
        { type: 'Ready', status: 'True' },
        { type: 'Ready' },
        { status: 'True' },
        { type: 1, status: 'True' },
        'x',
        null,
      ]),
    ).toEqual([{ type: 'Ready', status: 'True' }] as unknown as ReturnType<typeof looseConditions>);
    expect(looseConditions('x')).toBeUndefined();
  });
});

describe('refusals', () => {
  test('an empty large community is "must not be empty"', () => {
    const r = validatePolicy(neighbor({ advertisedPathAttributes: { communities: { large: [''] } } }));
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([
      'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes.communities.large[0]: must not be empty',
    ]);
  });

  test('core objects that are not objects are refused', () => {
    for (const v of [validateEndpointSlice, validateService, validateNode]) {
      expect(v('x').ok).toBe(false);
      expect(v({}).ok).toBe(false);
    }
  });
});
