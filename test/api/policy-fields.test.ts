/** agent/api/peering-policy.ts and l2-announcement-policy.ts: each field refusal pinned by its exact text. */
import { describe, expect, test } from 'bun:test';
import { l2PolicyResource } from '../../agent/api/l2-announcement-policy.ts';
import { largeCommunity, policyResource, standardCommunity } from '../../agent/api/peering-policy.ts';
import { formatProblem, type Problem, type Validation } from '../../agent/api/validate/fields.ts';

const NB = 'spec.virtualRouters[0].neighbors[0]';

const policy = (n: Record<string, unknown>) => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BGPPeeringPolicy',
  metadata: { name: 'rack0' },
  spec: {
    virtualRouters: [{ localASN: 65001, neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000, ...n }] }],
  },
});

function problems(
  input: unknown,
  validate: (i: unknown) => Validation<unknown> = policyResource.validate,
): string[] {
  const r = validate(input);
  return r.ok ? [] : r.problems.map(formatProblem);
}

function check(fn: (v: unknown, path: string, out: Problem[]) => string | undefined, v: unknown) {
  const out: Problem[] = [];
  const value = fn(v, 'p', out);
  return { value, out: out.map(formatProblem) };
}

describe('communities', () => {
  test.each([
    ['', undefined, 'p: must not be empty'],
    ['4294967295', '65535:65535', undefined],
    [
      '4294967296',
      undefined,
      'p: must be a community "a:b" with a and b in 0..65535 (or a well-known name such as no-export), got "4294967296"',
    ],
    ['NO-EXPORT', '65535:65281', undefined],
    ['007:08', '7:8', undefined],
  ])('standard %p', (text, value, problem) => {
    expect(check(standardCommunity, text)).toEqual({ value, out: problem ? [problem] : [] });
  });

  const largeRefusal = (s: string) =>
    `p: must be a large community "a:b:c" with each part in 0..4294967295, got ${JSON.stringify(s)}`;
  test.each([
    ['', undefined, 'p: must not be empty'],
    ['4294967295:4294967295:4294967295', '4294967295:4294967295:4294967295', undefined],
    ['4294967296:1:1', undefined, largeRefusal('4294967296:1:1')],
    ['1:4294967296:1', undefined, largeRefusal('1:4294967296:1')],
    ['1:1:4294967296', undefined, largeRefusal('1:1:4294967296')],
    ['01:2:3', '1:2:3', undefined],
  ])('large %p', (text, value, problem) => {
    expect(check(largeCommunity, text)).toEqual({ value, out: problem ? [problem] : [] });
  });

  test('a large community written twice is kept once, silently', () => {
    const r = policyResource.validate(
      policy({ advertisedPathAttributes: { communities: { large: ['1:2:3', '1:2:3', '01:2:3', '4:5:6'] } } }),
    );
    expect(r.ok && r.value.spec.virtualRouters[0]?.neighbors[0]?.advertisedPathAttributes).toEqual({
      communities: { large: ['1:2:3', '4:5:6'] },
    });
  });
});

describe('neighbor fields', () => {
  test('an empty peerAddress is "must not be empty"', () => {
    expect(problems(policy({ peerAddress: '' }))).toEqual([`${NB}.peerAddress: must not be empty`]);
  });

  test.each([-1, 1, 2, 65536, 1.5, '90'])('holdTimeSeconds %p is refused with the RFC 4271 range', (hold) => {
    expect(problems(policy({ holdTimeSeconds: hold }))).toEqual([
      `${NB}.holdTimeSeconds: must be 0 or an integer 3..65535, got ${typeof hold === 'string' ? `"${hold}"` : hold}`,
    ]);
  });
});

describe('neighbor and virtual-router rules', () => {
  test('gtsm alone is fine; with eBGPMultihopTTL it is refused', () => {
    expect(problems(policy({ gtsm: true }))).toEqual([]);
    expect(problems(policy({ eBGPMultihopTTL: 2 }))).toEqual([]);
    expect(problems(policy({ gtsm: true, eBGPMultihopTTL: 2 }))).toEqual([
      `${NB}.gtsm: cannot be used with eBGPMultihopTTL: GTSM accepts only a peer one hop away (RFC 5082); drop one of them`,
    ]);
  });

  const router = (peerASNs: number[], attrs: Record<string, unknown>) => ({
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'BGPPeeringPolicy',
    metadata: { name: 'rack0' },
    spec: {
      virtualRouters: [
        {
          localASN: 65001,
          neighbors: peerASNs.map((peerASN, i) => ({ peerAddress: `192.168.2.${i + 1}`, peerASN })),
          advertisements: [{ serviceSelector: {}, pools: ['a', 'b', 'a'], advertisedPathAttributes: attrs }],
        },
      ],
    },
  });
  const AT = 'spec.virtualRouters[0].advertisements[0].advertisedPathAttributes';

  test.each([
    [
      [65000],
      { localPreference: 200 },
      `${AT}.localPreference: is only sent to iBGP peers, and every neighbor of this virtual router is eBGP (localASN 65001); drop it or use med`,
    ],
    [[65001], { localPreference: 200 }, undefined],
    [[65000, 65001], { localPreference: 200 }, undefined],
    [
      [65001],
      { asPathPrepend: 2 },
      `${AT}.asPathPrepend: is only applied toward eBGP peers, and every neighbor of this virtual router is iBGP (AS 65001); drop it or use localPreference`,
    ],
    [[65000], { asPathPrepend: 2 }, undefined],
    [[65001, 65000], { asPathPrepend: 2 }, undefined],
  ])('peers %p with %p', (asns, attrs, problem) => {
    expect(problems(router(asns, attrs))).toEqual(problem ? [problem] : []);
  });

  test('an advertisement naming a pool twice keeps it once', () => {
    const r = policyResource.validate(router([65000], {}));
    expect(r.ok && r.value.spec.virtualRouters[0]?.advertisements?.[0]?.pools).toEqual(['a', 'b']);
  });
});

describe('L2AnnouncementPolicy fields', () => {
  const l2 = (spec: Record<string, unknown>) => ({
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'L2AnnouncementPolicy',
    metadata: { name: 'lan' },
    spec,
  });

  test('an empty interface pattern is "must not be empty", a bad one names the regex error', () => {
    expect(problems(l2({ interfaces: ['', '^eth[0-9]+$', '('] }), l2PolicyResource.validate)).toEqual([
      'spec.interfaces[0]: must not be empty',
      expect.stringMatching(/^spec\.interfaces\[2\]: must be a regular expression: ./),
    ]);
  });

  test('a pool named twice is kept once', () => {
    const r = l2PolicyResource.validate(l2({ pools: ['a', 'b', 'a'], interfaces: ['^eth0$'] }));
    expect(r.ok && r.value.spec).toEqual({ pools: ['a', 'b'], interfaces: ['^eth0$'] });
  });
});
