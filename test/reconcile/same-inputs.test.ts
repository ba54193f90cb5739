/**
 * sameServiceInputs is serviceFingerprint equality without building views (to-domain.ts):
 * a seeded property over pairs of Service versions that differ in one field at a time.
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { ServiceObject } from '../../agent/api/core.ts';
import { sameServiceInputs, serviceFingerprint, serviceView } from '../../agent/reconcile/plan/to-domain.ts';
import { seeded } from '../support/property.ts';

const record = fc.option(
  fc
    .subarray(['a', 'b', 'c'])
    .chain((keys) =>
      fc.tuple(...keys.map((k) => fc.constantFrom(`${k}1`, `${k}2`).map((v) => [k, v] as const))),
    )
    .map((entries) => Object.fromEntries(entries)),
  { nil: undefined },
);
const port = fc.record(
  { port: fc.constantFrom(80, 443), protocol: fc.constantFrom('TCP', 'UDP') as fc.Arbitrary<'TCP' | 'UDP'> },
  { requiredKeys: ['port'] },
);
const service: fc.Arbitrary<ServiceObject> = fc.record({
  metadata: fc.record({
    name: fc.constantFrom('web', 'db'),
    namespace: fc.constant('default'),
    creationTimestamp: fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
    labels: record,
    annotations: record,
  }),
  spec: fc.record(
    {
      loadBalancerIP: fc.constantFrom('', '10.0.0.1', '10.0.0.2'),
      ports: fc.array(port, { maxLength: 3 }),
      selector: record,
      externalTrafficPolicy: fc.constantFrom('Cluster', 'Local') as fc.Arbitrary<'Cluster' | 'Local'>,
      ipFamilies: fc.constantFrom<('IPv4' | 'IPv6')[]>(
        ['IPv4'],
        ['IPv6'],
        ['IPv4', 'IPv6'],
        ['IPv6', 'IPv4'],
      ),
      ipFamilyPolicy: fc.constantFrom('SingleStack', 'PreferDualStack', 'RequireDualStack') as fc.Arbitrary<
        'SingleStack' | 'PreferDualStack' | 'RequireDualStack'
      >,
    },
    { requiredKeys: ['ipFamilies'] },
  ),
});

/** b: a, with one field (or nothing) replaced from another random Service. */
const pair = fc
  .tuple(service, service, fc.integer({ min: 0, max: 11 }))
  .map(([a, o, which]): [ServiceObject, ServiceObject] => {
    const m = { ...a.metadata };
    const s = { ...a.spec };
    if (which === 1) m.name = o.metadata.name;
    if (which === 2) m.creationTimestamp = o.metadata.creationTimestamp;
    if (which === 3) m.labels = o.metadata.labels;
    if (which === 4) m.annotations = o.metadata.annotations;
    if (which === 5) s.loadBalancerIP = o.spec.loadBalancerIP;
    if (which === 6) s.ports = o.spec.ports;
    if (which === 7) s.selector = o.spec.selector;
    if (which === 8) s.externalTrafficPolicy = o.spec.externalTrafficPolicy;
    if (which === 9) s.ipFamilies = o.spec.ipFamilies;
    if (which === 10) s.ipFamilyPolicy = o.spec.ipFamilyPolicy;
    if (which === 11) return [a, o];
    return [a, { metadata: m, spec: s }];
  });

const fingerprint = (s: ServiceObject) => `${s.metadata.name}|${serviceFingerprint(serviceView(s))}`;

describe('sameServiceInputs', () => {
  test('is true exactly when the views have the same fingerprint', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(sameServiceInputs(a, b)).toBe(fingerprint(a) === fingerprint(b));
      }),
      seeded(3000),
    );
  });

  test('defaults compare equal to their spelled-out values', () => {
    const base: ServiceObject = { metadata: { name: 'web', namespace: 'default' }, spec: {} };
    const spelled: ServiceObject = {
      metadata: { name: 'web', namespace: 'default', creationTimestamp: '', labels: {}, annotations: {} },
      spec: {
        loadBalancerIP: '',
        ports: [],
        selector: {},
        externalTrafficPolicy: 'Cluster',
        ipFamilies: [],
        ipFamilyPolicy: 'SingleStack',
      },
    };
    expect(sameServiceInputs(base, spelled)).toBe(true);
    expect(
      sameServiceInputs(base, { ...spelled, metadata: { ...spelled.metadata, namespace: 'other' } }),
    ).toBe(false);
  });
});

test('a Service has the same inputs as itself', () => {
  const s: ServiceObject = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { ports: [{ port: 80 }] },
  } as ServiceObject;
  expect(sameServiceInputs(s, s)).toBe(true);
  expect(sameServiceInputs(s, { ...s, metadata: { ...s.metadata, name: 'db' } })).toBe(false);
});
