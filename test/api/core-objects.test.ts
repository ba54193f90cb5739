/** agent/api/validate/core.ts: the exact shapes read from core objects, and their exact refusals. */
import { describe, expect, test } from 'bun:test';
import {
  validateEndpointSlice,
  validateNamespace,
  validateNode,
  validateSecret,
  validateService,
} from '../../agent/api/validate/core.ts';
import { formatProblem, type Validation } from '../../agent/api/validate/fields.ts';

const META = { name: 'web', namespace: 'shop' };

function problems(r: Validation<unknown>): string[] {
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('Service', () => {
  const svc = (spec: unknown, status?: unknown) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: META,
    spec,
    ...(status === undefined ? {} : { status }),
  });

  test('ipFamilies and ports are read in order', () => {
    const r = validateService(
      svc({
        type: 'LoadBalancer',
        ipFamilies: ['IPv6', 'IPv4'],
        ports: [{ port: 80 }, { port: 53, protocol: 'UDP', name: 'dns' }],
      }),
    );
    expect(r.ok && r.value.spec).toStrictEqual({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv6', 'IPv4'],
      ports: [
        { port: 80, protocol: 'TCP' },
        { port: 53, protocol: 'UDP', name: 'dns' },
      ],
    });
  });

  test('status ingress keeps ip, hostname and a known ipMode', () => {
    const r = validateService(
      svc(
        {},
        {
          loadBalancer: {
            ingress: [
              { ip: '10.0.0.1', ipMode: 'VIP' },
              { hostname: 'lb.example', ipMode: 'Proxy' },
              { ip: 7, hostname: 8, ipMode: 'Other' },
              'x',
            ],
          },
        },
      ),
    );
    expect(r.ok && r.value.status).toStrictEqual({
      loadBalancer: {
        ingress: [{ ip: '10.0.0.1', ipMode: 'VIP' }, { hostname: 'lb.example', ipMode: 'Proxy' }, {}],
      },
    });
  });

  test('a status without a usable loadBalancer reads as an empty status', () => {
    for (const loadBalancer of [{}, { ingress: 'x' }, 'x', null]) {
      const r = validateService(svc({}, { loadBalancer }));
      expect(r.ok && r.value.status).toStrictEqual({});
    }
  });

  test('status conditions are read leniently', () => {
    const cond = { type: 'Ready', status: 'True' };
    const r = validateService(svc({}, { conditions: [cond, { type: 1 }] }));
    expect(r.ok && (r.value.status as unknown)).toStrictEqual({ conditions: [cond] });
    const none = validateService(svc({}, { conditions: 'x' }));
    expect(none.ok && none.value.status).toStrictEqual({});
  });

  test('refusals name the field', () => {
    expect(
      problems(validateService(svc({ ports: [{ protocol: 'TCP' }, { port: 0 }], ipFamilies: ['IPv5'] }))),
    ).toEqual([
      'spec.ipFamilies[0]: must be one of IPv4, IPv6, got "IPv5"',
      'spec.ports[0].port: is required',
      'spec.ports[1].port: must be an integer 1..65535, got 0',
    ]);
  });
});

describe('EndpointSlice', () => {
  test('endpoints with addresses, node and conditions', () => {
    const r = validateEndpointSlice({
      metadata: META,
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.1.0.1'], nodeName: 'n1', conditions: { ready: true, serving: false } },
        { conditions: {} },
      ],
    });
    expect(r.ok && r.value).toStrictEqual({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: META,
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.1.0.1'], nodeName: 'n1', conditions: { ready: true, serving: false } },
        { addresses: [], conditions: {} },
      ],
    });
  });
});

describe('Namespace, Node and Secret', () => {
  test('Namespace metadata keeps its labels', () => {
    const r = validateNamespace({ kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } });
    expect(r.ok && r.value).toStrictEqual({ metadata: { name: 'shop', labels: { team: 'a' } } });
    expect(problems(validateNamespace({ kind: 'Node', metadata: { name: 'shop' } }))).toEqual([
      'kind: must be "Namespace", got "Node"',
    ]);
  });

  test('metadata: the fields edgelb reads, each only with its own type', () => {
    const full = {
      name: 'shop',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { team: 'a' },
      annotations: { note: 'b' },
      managedFields: [],
    };
    const r = validateNamespace({ metadata: full });
    const { managedFields: _, ...kept } = full;
    expect(r.ok && r.value.metadata).toStrictEqual(kept);
    const wrong = validateNamespace({
      metadata: { name: 'shop', uid: 1, resourceVersion: 42, generation: '3', creationTimestamp: 0 },
    });
    expect(wrong.ok && wrong.value.metadata).toStrictEqual({ name: 'shop' });
    expect(problems(validateNamespace({ metadata: { name: 'shop', labels: { n: 1 } } }))).toEqual([
      'metadata.labels.n: must be a string, got 1 (quote it in YAML)',
    ]);
  });

  test('cluster-scoped: a namespace in the metadata is ignored; not a mapping is refused', () => {
    const ns = validateNamespace({ metadata: { name: 'shop', namespace: 'Bad_Name' } });
    expect(ns.ok && ns.value.metadata).toStrictEqual({ name: 'shop' });
    const node = validateNode({ metadata: { name: 'n1', namespace: 'Bad_Name' } });
    expect(node.ok && node.value).toStrictEqual({ metadata: { name: 'n1' } });
    for (const v of [validateNamespace, validateNode])
      expect(v('x')).toStrictEqual({
        ok: false,
        problems: [{ path: '', message: 'must be a mapping, got "x"' }],
      });
  });

  test('Node addresses', () => {
    const r = validateNode({
      metadata: { name: 'n1' },
      status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }] },
    });
    expect(r.ok && r.value).toStrictEqual({
      metadata: { name: 'n1' },
      status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }] },
    });
  });

  test('Secret data is base64-decoded, stringData wins', () => {
    const r = validateSecret({
      metadata: META,
      data: { a: btoa('one'), b: btoa('two') },
      stringData: { b: 'zwei' },
    });
    expect(r.ok && r.value).toStrictEqual({ namespace: 'shop', name: 'web', data: { a: 'one', b: 'zwei' } });
    expect(problems(validateSecret({ metadata: META, data: { a: 'no base64!' } }))).toEqual([
      'data.a: must be base64 (use stringData for plain text)',
    ]);
    expect(problems(validateSecret({ metadata: { name: 'x' } }))).toEqual([
      'metadata.namespace: is required',
    ]);
    expect(validateSecret({ metadata: { name: 'x' } }, { defaultNamespace: 'default' })).toStrictEqual({
      ok: true,
      value: { namespace: 'default', name: 'x', data: {} },
    });
  });
});
