import { describe, expect, test } from 'bun:test';
import {
  validateEndpointSlice,
  validateNode,
  validateSecret,
  validateService,
} from '../../agent/api/validate/core.ts';
import { formatProblem, type Validation } from '../../agent/api/validate/resources.ts';

function messages<T>(r: Validation<T>): string[] {
  return r.ok ? [] : r.problems.map(formatProblem);
}

function value<T>(r: Validation<T>): T {
  if (!r.ok) throw new Error(`expected valid, got ${messages(r).join('; ')}`);
  return r.value;
}

describe('core kinds', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'ingress-nginx',
      namespace: 'ingress-nginx',
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      annotations: { 'io.cilium/lb-ipam-ips': '172.198.1.1' },
      managedFields: [{ whatever: 1 }],
    },
    spec: {
      type: 'LoadBalancer',
      ports: [{ name: 'http', port: 80, targetPort: 'http' }, { port: 443 }],
      clusterIP: 'x',
    },
    status: { loadBalancer: { ingress: [{ ip: '172.198.1.1', ipMode: 'VIP' }] } },
  };

  test('Service: picks the fields edgelb reads, ignores the rest', () => {
    expect(value(validateService(svc))).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'ingress-nginx',
        namespace: 'ingress-nginx',
        labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
        annotations: { 'io.cilium/lb-ipam-ips': '172.198.1.1' },
      },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Cluster',
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { port: 443, protocol: 'TCP' },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: '172.198.1.1', ipMode: 'VIP' }] } },
    });
  });

  test('Service: namespace defaults only when asked', () => {
    const noNs = { ...svc, metadata: { name: 'a' } };
    expect(messages(validateService(noNs))).toEqual(['metadata.namespace: is required']);
    expect(value(validateService(noNs, { defaultNamespace: 'default' })).metadata.namespace).toBe('default');
  });

  test('Service: bad fields are reported', () => {
    const bad = {
      ...svc,
      spec: { type: 'LoadBalancer', ports: [{ port: '80' }], externalTrafficPolicy: 'local' },
    };
    expect(messages(validateService(bad))).toEqual([
      'spec.externalTrafficPolicy: must be one of Cluster, Local, got "local"',
      'spec.ports[0].port: must be an integer 1..65535, got "80"',
    ]);
  });

  test('EndpointSlice and Node', () => {
    const slice = value(
      validateEndpointSlice({
        metadata: { name: 's', namespace: 'n', labels: { 'kubernetes.io/service-name': 'svc' } },
        addressType: 'IPv4',
        endpoints: [
          { addresses: ['10.1.0.5'], nodeName: 'pi4', conditions: { ready: false, terminating: true } },
        ],
      }),
    );
    expect(slice.endpoints).toEqual([
      { addresses: ['10.1.0.5'], nodeName: 'pi4', conditions: { ready: false, terminating: true } },
    ]);
    expect(
      messages(
        validateEndpointSlice({ metadata: { name: 's', namespace: 'n' }, endpoints: [{ addresses: 'x' }] }),
      ),
    ).toEqual(['endpoints[0].addresses: must be a list, got "x"']);
    const node = value(
      validateNode({
        metadata: { name: 'pi4', labels: { peering: 'yes' } },
        status: { addresses: [{ type: 'InternalIP', address: '192.168.2.12' }] },
      }),
    );
    expect(node).toEqual({
      metadata: { name: 'pi4', labels: { peering: 'yes' } },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.2.12' }] },
    });
  });

  test('Secret: base64 data and stringData (which wins)', () => {
    const s = value(
      validateSecret(
        {
          kind: 'Secret',
          metadata: { name: 'bgp-auth' },
          data: { password: 'c+KCrGNyZXQ=', a: 'eA==' },
          stringData: { a: 'y' },
        },
        { defaultNamespace: 'default' },
      ),
    );
    expect(s).toEqual({ namespace: 'default', name: 'bgp-auth', data: { password: 's€cret', a: 'y' } });
    expect(
      messages(
        validateSecret({ metadata: { name: 'x', namespace: 'n' }, data: { password: 'not base64!' } }),
      ),
    ).toEqual(['data.password: must be base64 (use stringData for plain text)']);
  });
});
