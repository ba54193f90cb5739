import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../support/apiserver/http-client.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

const SA = 'system:serviceaccount:kube-system:edgelb';
let srv: TestApiServer;
beforeAll(async () => {
  srv = await startApiServer({ tokenUser: SA, rbac: true });
});
afterAll(async () => {
  await srv?.stop();
});

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const asToken = { auth: 'token' as const };

describe('RBAC for the token user', () => {
  test('with no bindings everything but discovery is 403, naming verb, resource and scope', async () => {
    expect((await call(srv, 'GET', '/apis', undefined, asToken)).status).toBe(200);
    const r = await call(srv, 'GET', '/api/v1/services', undefined, asToken);
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(
      `services is forbidden: User "${SA}" cannot list resource "services" in API group "" at the cluster scope`,
    );
    expect((await call(srv, 'GET', '/api/v1/services')).status).toBe(200); // the cert user is system:masters
  });

  test('a ClusterRole bound to the ServiceAccount grants exactly its rules', async () => {
    const role = {
      metadata: { name: 'edgelb' },
      rules: [
        { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['services/status'], verbs: ['get', 'update', 'patch'] },
      ],
    };
    expect((await call(srv, 'POST', `${RBAC}/clusterroles`, role)).status).toBe(201);
    const binding = {
      metadata: { name: 'edgelb' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edgelb' },
      subjects: [{ kind: 'ServiceAccount', name: 'edgelb', namespace: 'kube-system' }],
    };
    expect((await call(srv, 'POST', `${RBAC}/clusterrolebindings`, binding)).status).toBe(201);
    srv.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    expect(
      (await call(srv, 'GET', '/api/v1/services?watch=true&timeoutSeconds=1', undefined, asToken)).status,
    ).toBe(200);
    const patch = await call(
      srv,
      'PATCH',
      '/api/v1/namespaces/default/services/web/status',
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
      { ...asToken, contentType: 'application/merge-patch+json' },
    );
    expect(patch.status).toBe(200);
    const spec = await call(
      srv,
      'PATCH',
      '/api/v1/namespaces/default/services/web',
      { spec: { type: 'ClusterIP' } },
      { ...asToken, contentType: 'application/merge-patch+json' },
    );
    expect(spec.status).toBe(403);
    expect(spec.body.message).toBe(
      `services "web" is forbidden: User "${SA}" cannot patch resource "services" in API group "" in the namespace "default"`,
    );
  });

  test('a namespaced Role with resourceNames grants one Lease in one namespace', async () => {
    const L = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
    await call(srv, 'POST', `${RBAC}/namespaces/kube-system/roles`, {
      metadata: { name: 'edgelb-leader' },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: ['edgelb'],
          verbs: ['get', 'update', 'patch', 'watch'],
        },
      ],
    });
    await call(srv, 'POST', `${RBAC}/namespaces/kube-system/rolebindings`, {
      metadata: { name: 'edgelb-leader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'edgelb-leader' },
      subjects: [{ kind: 'ServiceAccount', name: 'edgelb' }],
    });
    const lease = (name: string) => ({
      metadata: { name },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 15 },
    });
    expect((await call(srv, 'POST', L, lease('edgelb'), asToken)).status).toBe(201);
    expect((await call(srv, 'GET', `${L}/edgelb`, undefined, asToken)).status).toBe(200);
    expect((await call(srv, 'POST', L, lease('other'), asToken)).status).toBe(201);
    expect((await call(srv, 'GET', `${L}/other`, undefined, asToken)).status).toBe(403);
    expect((await call(srv, 'GET', L, undefined, asToken)).status).toBe(403);
    expect(
      (
        await call(
          srv,
          'POST',
          '/apis/coordination.k8s.io/v1/namespaces/default/leases',
          lease('edgelb'),
          asToken,
        )
      ).status,
    ).toBe(403);
  });
});
