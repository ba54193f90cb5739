import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../support/apiserver/http-client.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { widgetCrd } from './fixtures.ts';

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

const SVC = '/api/v1/namespaces/default/services';
const cond = (type: string, status: string) => ({
  type,
  status,
  reason: 'Test',
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
});
const svc = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name, tier: 'web' } },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...extra },
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

describe('selectors and lists', () => {
  test('label selector operators', async () => {
    const mk = (name: string, labels: Record<string, string>) =>
      call(srv, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name, labels } });
    await mk('l-a', { env: 'prod', team: 'net' });
    await mk('l-b', { env: 'dev' });
    await mk('l-c', { env: 'test', team: 'web' });
    const names = async (sel: string) =>
      (
        await call(
          srv,
          'GET',
          `/api/v1/namespaces/default/configmaps?labelSelector=${encodeURIComponent(sel)}`,
        )
      ).body.items
        .map((i: { metadata: { name: string } }) => i.metadata.name)
        .filter((n: string) => n.startsWith('l-'));
    expect(await names('env=prod')).toEqual(['l-a']);
    expect(await names('env==prod')).toEqual(['l-a']);
    expect(await names('env!=prod')).toEqual(['l-b', 'l-c']);
    expect(await names('env in (dev,test)')).toEqual(['l-b', 'l-c']);
    expect(await names('env notin (dev)')).toEqual(['l-a', 'l-c']);
    expect(await names('team')).toEqual(['l-a', 'l-c']);
    expect(await names('!team')).toEqual(['l-b']);
    expect(await names('team,env in (prod,dev)')).toEqual(['l-a']);
    expect((await call(srv, 'GET', '/api/v1/configmaps?labelSelector=a%20in%20b')).status).toBe(400);
  });

  test('field selectors: metadata.name, metadata.namespace, spec.type; unknown fields are 400', async () => {
    await call(srv, 'POST', SVC, svc('f-cip', { type: 'ClusterIP' }));
    const list = async (q: string) =>
      (await call(srv, 'GET', `/api/v1/services?fieldSelector=${encodeURIComponent(q)}`)).body.items.map(
        (i: { metadata: { name: string } }) => i.metadata.name,
      );
    expect(await list('metadata.name=f-cip')).toEqual(['f-cip']);
    expect(await list('spec.type=ClusterIP')).toEqual(['f-cip']);
    expect(await list('spec.type!=ClusterIP,metadata.name=c1')).toEqual(['c1']);
    expect(await list('metadata.namespace=kube-system')).toEqual([]);
    expect((await call(srv, 'GET', '/api/v1/services?fieldSelector=spec.bogus%3Dx')).status).toBe(400);
  });

  test('list carries the current resourceVersion; items of built-ins have no kind', async () => {
    const r = await call(srv, 'GET', SVC);
    expect(r.body.kind).toBe('ServiceList');
    expect(r.body.metadata.resourceVersion).toBe(srv.resourceVersion());
    expect(r.body.items[0].kind).toBeUndefined();
  });

  test('exact list at an older resourceVersion shows the past; a compacted one is 410; a future one is 504', async () => {
    const before = srv.resourceVersion();
    await call(srv, 'POST', SVC, svc('later'));
    const now = await call(srv, 'GET', SVC);
    const past = await call(srv, 'GET', `${SVC}?resourceVersion=${before}&resourceVersionMatch=Exact`);
    const names = (l: { items: { metadata: { name: string } }[] }) => l.items.map((i) => i.metadata.name);
    expect(names(now.body)).toContain('later');
    expect(names(past.body)).not.toContain('later');
    expect(past.body.metadata.resourceVersion).toBe(before);
    expect(
      (await call(srv, 'GET', `${SVC}?resourceVersion=${Number(srv.resourceVersion()) + 100}`)).status,
    ).toBe(504);
    srv.faults.expireWatches();
    const gone = await call(srv, 'GET', `${SVC}?resourceVersion=${before}&resourceVersionMatch=Exact`);
    expect(gone.status).toBe(410);
    expect(gone.body.reason).toBe('Expired');
  });

  test('limit and continue page through a list', async () => {
    const all = (await call(srv, 'GET', SVC)).body.items.length;
    const seen: string[] = [];
    let cont = '';
    for (let i = 0; i < 20; i++) {
      const r = await call(srv, 'GET', `${SVC}?limit=2${cont ? `&continue=${cont}` : ''}`);
      seen.push(...r.body.items.map((x: { metadata: { name: string } }) => x.metadata.name));
      cont = r.body.metadata.continue ?? '';
      if (!cont) break;
    }
    expect(seen.length).toBe(all);
    expect(new Set(seen).size).toBe(all);
  });
});

describe('built-in validation edgelb can trip', () => {
  const merge = { contentType: 'application/merge-patch+json' };
  test('Service status: invalid ingress IP, ipMode without ip, bad conditions are 422', async () => {
    await call(srv, 'POST', SVC, svc('v1'));
    const st = (status: unknown) => call(srv, 'PATCH', `${SVC}/v1/status`, { status }, merge);
    expect((await st({ loadBalancer: { ingress: [{ ip: '172.198.1.300' }] } })).status).toBe(422);
    expect((await st({ loadBalancer: { ingress: [{ hostname: 'x', ipMode: 'VIP' }] } })).status).toBe(422);
    expect((await st({ loadBalancer: { ingress: [{ ip: '2001:db8::1', ipMode: 'VIP' }] } })).status).toBe(
      200,
    );
    const noReason = await st({
      conditions: [
        {
          type: 'edgelb.io/IPAMRequestSatisfied',
          status: 'True',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body.details.causes[0].field).toBe('status.conditions[0].reason');
    expect((await st({ conditions: [{ ...cond('edgelb.io/IPAMRequestSatisfied', 'Yes') }] })).status).toBe(
      422,
    );
    expect(
      (
        await st({
          conditions: [{ ...cond('edgelb.io/IPAMRequestSatisfied', 'True'), lastTransitionTime: undefined }],
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await st({
          conditions: [
            cond('edgelb.io/IPAMRequestSatisfied', 'True'),
            cond('edgelb.io/IPAMRequestSatisfied', 'False'),
          ],
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await st({
          conditions: [{ ...cond('edgelb.io/IPAMRequestSatisfied', 'False'), reason: 'pool exhausted' }],
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await st({
          conditions: [{ ...cond('edgelb.io/IPAMRequestSatisfied', 'True'), observedGeneration: 1 }],
        })
      ).status,
    ).toBe(200);
  });

  test('loadBalancerClass is immutable and only for LoadBalancer Services', async () => {
    const c = await call(srv, 'POST', SVC, svc('cls', { loadBalancerClass: 'edgelb.io/bgp' }));
    expect(c.status).toBe(201);
    const r = await call(srv, 'PATCH', `${SVC}/cls`, { spec: { loadBalancerClass: 'other.io/lb' } }, merge);
    expect(r.status).toBe(422);
    expect(r.body.message).toContain('field is immutable');
    expect(
      (await call(srv, 'POST', SVC, svc('cls2', { type: 'ClusterIP', loadBalancerClass: 'x.io/y' }))).status,
    ).toBe(422);
  });

  test('events.k8s.io/v1: required fields and the 1 kB note limit', async () => {
    const path = '/apis/events.k8s.io/v1/namespaces/default/events';
    const ev = {
      metadata: { generateName: 'v-' },
      eventTime: '2026-11-24T17:20:02.000001Z',
      reportingController: 'edgelb.io/controller',
      reportingInstance: 'n1',
      action: 'Allocate',
      reason: 'Allocated',
      type: 'Normal',
      note: 'ok',
    };
    expect((await call(srv, 'POST', path, ev)).status).toBe(201);
    const { action: _a, ...noAction } = ev;
    expect((await call(srv, 'POST', path, noAction)).status).toBe(422);
    expect((await call(srv, 'POST', path, { ...ev, note: 'x'.repeat(1025) })).status).toBe(422);
    expect((await call(srv, 'POST', path, { ...ev, type: 'Info' })).status).toBe(422);
  });
});

describe('events', () => {
  test('an events.k8s.io/v1 Event is also a core/v1 Event (one storage), selectable by its fields', async () => {
    const ev = {
      metadata: { name: 'shared' },
      eventTime: '2026-11-24T17:20:02.000001Z',
      reportingController: 'edgelb.io/controller',
      reportingInstance: 'n1',
      action: 'Allocate',
      reason: 'IPAllocated',
      type: 'Normal',
      note: 'allocated 172.198.1.1',
      regarding: { apiVersion: 'v1', kind: 'Service', name: 'c1', namespace: 'default' },
    };
    expect((await call(srv, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', ev)).status).toBe(
      201,
    );
    const core = (
      await call(
        srv,
        'GET',
        '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dc1,reason%3DIPAllocated',
      )
    ).body;
    expect(core.items).toHaveLength(1);
    expect(core.items[0]).toMatchObject({
      message: 'allocated 172.198.1.1',
      reportingComponent: 'edgelb.io/controller',
      involvedObject: { kind: 'Service' },
    });
    const v1 = (
      await call(
        srv,
        'GET',
        '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dc1',
      )
    ).body;
    expect(v1.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain('shared');
    const back = (await call(srv, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events/shared')).body;
    expect(back).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      note: 'allocated 172.198.1.1',
      regarding: { name: 'c1' },
    });
    expect(back.message).toBeUndefined();
    const p = await call(
      srv,
      'PATCH',
      '/apis/events.k8s.io/v1/namespaces/default/events/shared',
      { series: { count: 2, lastObservedTime: '2026-11-24T17:21:00.000000Z' } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(p.body.series.count).toBe(2);
    expect(p.body.note).toBe('allocated 172.198.1.1');
  });
});

describe('MicroTime', () => {
  const lease = (renewTime: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: `l${Math.random().toString(36).slice(2, 8)}` },
    spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime },
  });
  const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';

  test('a Lease renewTime with millisecond precision (a JS Date) is rejected with 400', async () => {
    const r = await call(srv, 'POST', LEASES, lease(new Date().toISOString()));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('2006-01-02T15:04:05.000000Z07:00');
  });

  test('six fractional digits are accepted', async () => {
    expect((await call(srv, 'POST', LEASES, lease('2026-11-24T17:20:02.515000Z'))).status).toBe(201);
  });

  test('events.k8s.io eventTime without six digits is rejected', async () => {
    const ev = (eventTime: string) => ({
      metadata: { generateName: 'e-' },
      eventTime,
      reportingController: 'edgelb.io/controller',
      reportingInstance: 'n1',
      action: 'Allocate',
      reason: 'Allocated',
      type: 'Normal',
      regarding: { kind: 'Service', name: 'c1', namespace: 'default' },
    });
    const path = '/apis/events.k8s.io/v1/namespaces/default/events';
    expect((await call(srv, 'POST', path, ev('2026-11-24T17:20:02Z'))).status).toBe(400);
    const ok = await call(srv, 'POST', path, ev('2026-11-24T17:20:02.000001Z'));
    expect(ok.status).toBe(201);
    expect(ok.body.metadata.name).toMatch(/^e-[a-z0-9]{5}$/);
  });
});

describe('CRDs', () => {
  test('a registered CRD is discoverable with its scope, short names and status subresource', async () => {
    const groups = (await call(srv, 'GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups).toContain('example.edgelb.io');
    const rl = (await call(srv, 'GET', '/apis/example.edgelb.io/v1')).body;
    expect(rl.resources).toContainEqual(
      expect.objectContaining({ name: 'widgets', namespaced: false, kind: 'Widget', shortNames: ['wdg'] }),
    );
    expect(rl.resources.map((r: { name: string }) => r.name)).toContain('widgets/status');
    const crd = (
      await call(
        srv,
        'GET',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.edgelb.io',
      )
    ).body;
    expect(crd.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Established', status: 'True' }),
    );
  });

  test('custom resources are validated against the schema', async () => {
    const r = await call(srv, 'POST', '/apis/example.edgelb.io/v1/widgets', {
      apiVersion: 'example.edgelb.io/v1',
      kind: 'Widget',
      metadata: { name: 'bad' },
      spec: { size: 'big', color: 'green' },
    });
    expect(r.status).toBe(422);
    const fields = r.body.details.causes.map((c: { field: string }) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.size', 'spec.color']));
  });

  test('unknown fields are pruned', async () => {
    const r = await call(srv, 'POST', '/apis/example.edgelb.io/v1/widgets', {
      apiVersion: 'example.edgelb.io/v1',
      kind: 'Widget',
      metadata: { name: 'pruned' },
      spec: { size: 1, extra: true },
    });
    expect(r.body.spec).toEqual({ size: 1 });
    const strict = await call(srv, 'POST', '/apis/example.edgelb.io/v1/widgets?fieldValidation=Strict', {
      apiVersion: 'example.edgelb.io/v1',
      kind: 'Widget',
      metadata: { name: 'strict' },
      spec: { size: 1, extra: true },
    });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.extra"');
  });

  test('a namespaced CRD is served under namespaces; deleting the CRD removes its resource', async () => {
    const crd = widgetCrd('gadgets', 'Gadget', 'Namespaced');
    expect(
      (await call(srv, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status,
    ).toBe(201);
    const base = '/apis/example.edgelb.io/v1/namespaces/default/gadgets';
    expect(
      (
        await call(srv, 'POST', base, {
          apiVersion: 'example.edgelb.io/v1',
          kind: 'Gadget',
          metadata: { name: 'g' },
          spec: { size: 1 },
        })
      ).status,
    ).toBe(201);
    expect((await call(srv, 'GET', '/apis/example.edgelb.io/v1/gadgets')).body.items).toHaveLength(1);
    expect(
      (
        await call(
          srv,
          'DELETE',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        )
      ).status,
    ).toBe(200);
    expect((await call(srv, 'GET', base)).status).toBe(404);
  });
});

describe('CRD versions', () => {
  test('every served version reads the same objects; discovery prefers the highest version', async () => {
    const crd = widgetCrd('gizmos', 'Gizmo');
    const v1 = crd.spec.versions[0]!;
    crd.spec.versions = [
      { ...v1, name: 'v1alpha1', storage: true },
      { ...v1, name: 'v1beta1', storage: false },
      { ...v1, name: 'v2', served: false, storage: false },
    ];
    expect(
      (await call(srv, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status,
    ).toBe(201);
    const c = await call(srv, 'POST', '/apis/example.edgelb.io/v1alpha1/gizmos', {
      apiVersion: 'example.edgelb.io/v1alpha1',
      kind: 'Gizmo',
      metadata: { name: 'g1' },
      spec: { size: 2 },
    });
    expect(c.status).toBe(201);
    const b = await call(srv, 'GET', '/apis/example.edgelb.io/v1beta1/gizmos/g1');
    expect(b.body.apiVersion).toBe('example.edgelb.io/v1beta1');
    expect(b.body.spec.size).toBe(2);
    expect((await call(srv, 'GET', '/apis/example.edgelb.io/v2/gizmos')).status).toBe(404);
    const group = (await call(srv, 'GET', '/apis/example.edgelb.io')).body;
    expect(group.preferredVersion.version).toBe('v1');
    const gizmoVersions = (await call(srv, 'GET', '/apis')).body.groups
      .find((g: { name: string }) => g.name === 'example.edgelb.io')
      .versions.map((v: { version: string }) => v.version);
    expect(gizmoVersions).toEqual(expect.arrayContaining(['v1', 'v1beta1', 'v1alpha1']));
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
