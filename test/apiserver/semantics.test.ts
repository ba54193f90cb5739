import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../support/apiserver/http-client.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { cond, SVC, svc, widgetCrd } from './fixtures.ts';

let srv: TestApiServer;
beforeAll(async () => {
  srv = await startApiServer();
  expect(
    (await call(srv, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCrd())).status,
  ).toBe(201);
});
afterAll(async () => {
  await srv?.stop();
});

describe('create, get, update, delete', () => {
  test('create assigns uid, resourceVersion, creationTimestamp, generation and defaults', async () => {
    const r = await call(srv, 'POST', SVC, svc('c1'));
    expect(r.status).toBe(201);
    const m = r.body.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    expect(m.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(m.generation).toBe(1);
    expect(r.body.spec).toMatchObject({
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      externalTrafficPolicy: 'Cluster',
    });
    expect(r.body.spec.ports[0]).toMatchObject({ protocol: 'TCP', targetPort: 80 });
    expect(r.body.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
  });

  test('resourceVersions increase globally across resources', async () => {
    const a = await call(srv, 'POST', SVC, svc('rv-a'));
    const b = await call(srv, 'POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 's-rv' } });
    expect(Number(b.body.metadata.resourceVersion)).toBeGreaterThan(Number(a.body.metadata.resourceVersion));
  });

  test('a second create of the same name is 409 AlreadyExists', async () => {
    const r = await call(srv, 'POST', SVC, svc('c1'));
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({
      kind: 'Status',
      reason: 'AlreadyExists',
      code: 409,
      details: { name: 'c1', kind: 'services' },
    });
  });

  test('an update with a stale resourceVersion is 409 Conflict; a fresh one bumps generation on spec change', async () => {
    const cur = (await call(srv, 'GET', `${SVC}/c1`)).body;
    const ok = await call(srv, 'PUT', `${SVC}/c1`, {
      ...cur,
      spec: { ...cur.spec, externalTrafficPolicy: 'Local' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.metadata.generation).toBe(2);
    expect(ok.body.spec.healthCheckNodePort).toBeNumber();
    const stale = await call(srv, 'PUT', `${SVC}/c1`, cur);
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(stale.body.message).toContain('the object has been modified');
  });

  test('a no-op update keeps the resourceVersion, even with keys in another order', async () => {
    const cur = (await call(srv, 'GET', `${SVC}/c1`)).body;
    const r = await call(srv, 'PUT', `${SVC}/c1`, cur);
    expect(r.body.metadata.resourceVersion).toBe(cur.metadata.resourceVersion);
    const reordered = Object.fromEntries(Object.entries(cur).reverse());
    reordered.spec = Object.fromEntries(Object.entries(cur.spec).reverse());
    const again = await call(srv, 'PUT', `${SVC}/c1`, reordered);
    expect(again.body.metadata.resourceVersion).toBe(cur.metadata.resourceVersion);
    expect(again.body.metadata.generation).toBe(cur.metadata.generation);
  });

  test('404 for unknown objects, unknown resources and a missing namespace', async () => {
    expect((await call(srv, 'GET', `${SVC}/nope`)).body).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'services "nope" not found',
    });
    expect((await call(srv, 'GET', '/api/v1/frobs')).status).toBe(404);
    expect((await call(srv, 'GET', '/apis/nope.io/v1/things')).status).toBe(404);
    const r = await call(srv, 'POST', '/api/v1/namespaces/ghost/services', svc('x'));
    expect(r.body).toMatchObject({ code: 404, message: 'namespaces "ghost" not found' });
  });

  test('YAML bodies are accepted; protobuf bodies get 415', async () => {
    const y = await call(
      srv,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'metadata:\n  name: from-yaml\ndata:\n  a: b\n',
      {
        contentType: 'application/yaml',
      },
    );
    expect(y.status).toBe(201);
    expect(y.body.data).toEqual({ a: 'b' });
    const pb = await call(srv, 'POST', '/api/v1/namespaces', 'k8s\u0000', {
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    expect(pb.status).toBe(415);
    expect(pb.body.reason).toBe('UnsupportedMediaType');
  });

  test('invalid names are 422', async () => {
    const r = await call(srv, 'POST', SVC, svc('Bad_Name'));
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('Invalid');
  });

  test('delete returns the object and then it is gone; finalizers delay deletion', async () => {
    await call(srv, 'POST', SVC, svc('del1'));
    expect((await call(srv, 'DELETE', `${SVC}/del1`)).status).toBe(200);
    expect((await call(srv, 'GET', `${SVC}/del1`)).status).toBe(404);
    await call(srv, 'POST', SVC, {
      ...svc('fin1'),
      metadata: { name: 'fin1', finalizers: ['example.io/hold'] },
    });
    const d = await call(srv, 'DELETE', `${SVC}/fin1`);
    expect(d.body.metadata.deletionTimestamp).toBeString();
    expect((await call(srv, 'GET', `${SVC}/fin1`)).status).toBe(200);
    const p = await call(
      srv,
      'PATCH',
      `${SVC}/fin1`,
      { metadata: { finalizers: null } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(p.status).toBe(200);
    expect((await call(srv, 'GET', `${SVC}/fin1`)).status).toBe(404);
  });

  test('secrets: stringData becomes base64 data', async () => {
    const r = await call(srv, 'POST', '/api/v1/namespaces/default/secrets', {
      metadata: { name: 'bgp' },
      stringData: { password: 's3cret' },
    });
    expect(r.body.data.password).toBe(Buffer.from('s3cret').toString('base64'));
    expect(r.body.type).toBe('Opaque');
  });
});

describe('status subresource', () => {
  test('create and the main endpoint ignore status; /status changes only status', async () => {
    const c = await call(srv, 'POST', SVC, {
      ...svc('st1'),
      status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } },
    });
    expect(c.body.status.loadBalancer.ingress).toBeUndefined();
    const put = await call(srv, 'PUT', `${SVC}/st1`, {
      ...c.body,
      status: { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } },
    });
    expect(put.body.status.loadBalancer.ingress).toBeUndefined();
    const st = await call(srv, 'PUT', `${SVC}/st1/status`, {
      ...put.body,
      metadata: { ...put.body.metadata, labels: { changed: 'yes' } },
      spec: { ...put.body.spec, type: 'ClusterIP' },
      status: { loadBalancer: { ingress: [{ ip: '172.198.1.1', ipMode: 'VIP' }] } },
    });
    expect(st.status).toBe(200);
    expect(st.body.status.loadBalancer.ingress).toEqual([{ ip: '172.198.1.1', ipMode: 'VIP' }]);
    expect(st.body.spec.type).toBe('LoadBalancer');
    expect(st.body.metadata.labels).toEqual({ app: 'st1', tier: 'web' });
    expect(st.body.metadata.generation).toBe(put.body.metadata.generation);
  });

  test('a /status write with a stale resourceVersion is a 409', async () => {
    const cur = (await call(srv, 'GET', `${SVC}/st1`)).body;
    await call(
      srv,
      'PATCH',
      `${SVC}/st1/status`,
      { status: { conditions: [] } },
      { contentType: 'application/merge-patch+json' },
    );
    const r = await call(srv, 'PUT', `${SVC}/st1/status`, cur);
    expect(r.status).toBe(409);
  });

  test('custom resources: status ignored on create, patched through /status, generation only on spec change', async () => {
    const base = '/apis/example.edgelb.io/v1/widgets';
    const c = await call(srv, 'POST', base, {
      apiVersion: 'example.edgelb.io/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { size: 1 },
      status: { phase: 'x' },
    });
    expect(c.status).toBe(201);
    expect(c.body.status).toBeUndefined();
    const s = await call(
      srv,
      'PATCH',
      `${base}/w/status`,
      { status: { phase: 'Ready' } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(s.body.status.phase).toBe('Ready');
    expect(s.body.metadata.generation).toBe(1);
    const g = await call(
      srv,
      'PATCH',
      `${base}/w`,
      { spec: { size: 2 }, status: { phase: 'ignored' } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(g.body.metadata.generation).toBe(2);
    expect(g.body.status.phase).toBe('Ready');
  });
});

describe('patches', () => {
  test('merge patch adds and removes keys', async () => {
    await call(srv, 'POST', SVC, svc('p1'));
    const r = await call(
      srv,
      'PATCH',
      `${SVC}/p1`,
      { metadata: { labels: { tier: null, x: 'y' } } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(r.body.metadata.labels).toEqual({ app: 'p1', x: 'y' });
  });

  test('json patch with test/replace/add/remove; a failing test op is 422', async () => {
    const ops = [
      { op: 'test', path: '/spec/type', value: 'LoadBalancer' },
      { op: 'add', path: '/metadata/annotations', value: { 'edgelb.io/ips': '10.0.0.1' } },
      { op: 'replace', path: '/spec/ports/0/port', value: 8080 },
      { op: 'remove', path: '/metadata/labels/x' },
    ];
    const r = await call(srv, 'PATCH', `${SVC}/p1`, ops, { contentType: 'application/json-patch+json' });
    expect(r.status).toBe(200);
    expect(r.body.metadata.annotations['edgelb.io/ips']).toBe('10.0.0.1');
    expect(r.body.spec.ports[0].port).toBe(8080);
    expect(r.body.metadata.labels.x).toBeUndefined();
    const bad = await call(
      srv,
      'PATCH',
      `${SVC}/p1`,
      [{ op: 'test', path: '/spec/type', value: 'NodePort' }],
      { contentType: 'application/json-patch+json' },
    );
    expect(bad.status).toBe(422);
  });

  test('strategic merge patch merges ports by port and conditions by type', async () => {
    await call(
      srv,
      'POST',
      SVC,
      svc('p2', {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
      }),
    );
    const r = await call(
      srv,
      'PATCH',
      `${SVC}/p2`,
      {
        spec: {
          ports: [
            { port: 443, name: 'tls' },
            { port: 80, $patch: 'delete' },
          ],
        },
      },
      { contentType: 'application/strategic-merge-patch+json' },
    );
    expect(r.body.spec.ports.map((p: { name: string }) => p.name)).toEqual(['tls']);
    await call(
      srv,
      'PATCH',
      `${SVC}/p2/status`,
      { status: { conditions: [cond('A', 'True')] } },
      { contentType: 'application/merge-patch+json' },
    );
    const s = await call(
      srv,
      'PATCH',
      `${SVC}/p2/status`,
      { status: { conditions: [cond('B', 'False')] } },
      { contentType: 'application/strategic-merge-patch+json' },
    );
    expect(s.body.status.conditions.map((c: { type: string }) => c.type)).toEqual(['A', 'B']);
  });

  test('strategic merge patch on a custom resource is 415 like the real server', async () => {
    const r = await call(
      srv,
      'PATCH',
      '/apis/example.edgelb.io/v1/widgets/w',
      { spec: { size: 3 } },
      { contentType: 'application/strategic-merge-patch+json' },
    );
    expect(r.status).toBe(415);
  });

  test('server-side apply creates, then merges; fieldManager is required', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "1"\n';
    const path = '/api/v1/namespaces/default/configmaps/applied';
    expect(
      (await call(srv, 'PATCH', path, yaml, { contentType: 'application/apply-patch+yaml' })).status,
    ).toBe(400);
    const c = await call(srv, 'PATCH', `${path}?fieldManager=edgelb`, yaml, {
      contentType: 'application/apply-patch+yaml',
    });
    expect(c.status).toBe(201);
    const u = await call(
      srv,
      'PATCH',
      `${path}?fieldManager=edgelb&force=true`,
      yaml.replace('a: "1"', 'b: "2"'),
      { contentType: 'application/apply-patch+yaml' },
    );
    expect(u.status).toBe(200);
    expect(u.body.data).toEqual({ a: '1', b: '2' });
  });

  test('a patch carrying a stale resourceVersion is a 409', async () => {
    const r = await call(
      srv,
      'PATCH',
      `${SVC}/p1`,
      { metadata: { resourceVersion: '1' } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(r.status).toBe(409);
  });
});

describe('direct store access', () => {
  test('create/get/update/list/remove bypass HTTP but keep status and bump resourceVersion', () => {
    const rv0 = Number(srv.resourceVersion());
    const n = srv.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker', labels: { peering: 'yes' } },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.2.2' }] },
    });
    expect(Number(n.metadata.resourceVersion)).toBe(rv0 + 1);
    expect(srv.get('v1', 'Node', undefined, 'worker').status.addresses[0].address).toBe('192.168.2.2');
    const s = srv.create({
      ...svc('direct'),
      metadata: { name: 'direct', namespace: 'other' },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    });
    expect(s.status.loadBalancer.ingress[0].ip).toBe('1.2.3.4');
    srv.update({ ...s, status: { loadBalancer: {} } });
    expect(srv.get('v1', 'Service', 'other', 'direct').status.loadBalancer.ingress).toBeUndefined();
    expect(srv.list('v1', 'Service', 'other').map((o) => o.metadata.name)).toEqual(['direct']);
    srv.remove('v1', 'Service', 'other', 'direct');
    expect(srv.get('v1', 'Service', 'other', 'direct')).toBeUndefined();
  });
});
