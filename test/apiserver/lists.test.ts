import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../support/apiserver/http-client.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { SVC, svc, widgetCrd } from './fixtures.ts';

let srv: TestApiServer;
beforeAll(async () => {
  srv = await startApiServer();
  expect((await call(srv, 'POST', SVC, svc('c1'))).status).toBe(201);
  expect(
    (await call(srv, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCrd())).status,
  ).toBe(201);
});
afterAll(async () => {
  await srv?.stop();
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
