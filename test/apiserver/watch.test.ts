import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call, openWatch } from '../support/apiserver/http-client.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

let srv: TestApiServer;
beforeAll(async () => {
  srv = await startApiServer({ bookmarkIntervalMs: 200, historyLimit: 50 });
});
afterAll(async () => {
  await srv?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels },
  data: { v: '1' },
});

describe('watch', () => {
  test('from a list resourceVersion: only later events, in order, with kind and apiVersion', async () => {
    await call(srv, 'POST', CM, cm('w-before'));
    const rv = (await call(srv, 'GET', CM)).body.metadata.resourceVersion;
    const w = await openWatch(srv, `${CM}?watch=true&resourceVersion=${rv}`);
    await call(srv, 'POST', CM, cm('w-after'));
    await call(
      srv,
      'PATCH',
      `${CM}/w-after`,
      { data: { v: '2' } },
      { contentType: 'application/merge-patch+json' },
    );
    await call(srv, 'DELETE', `${CM}/w-after`);
    const evs = [await w.next(), await w.next(), await w.next()];
    w.close();
    expect(evs.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(
      evs.every(
        (e) =>
          e.object.metadata.name === 'w-after' &&
          e.object.kind === 'ConfigMap' &&
          e.object.apiVersion === 'v1',
      ),
    ).toBe(true);
    const rvs = evs.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs[0]! > Number(rv) && rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!).toBe(true);
  });

  test('without a resourceVersion the current objects arrive as ADDED first', async () => {
    const w = await openWatch(srv, `${CM}?watch=1&fieldSelector=metadata.name%3Dw-before`);
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w-before' } } });
    expect(srv.requests.at(-1)).toMatchObject({
      method: 'GET',
      status: 200,
      path: `${CM}?watch=1&fieldSelector=metadata.name%3Dw-before`,
    });
    w.close();
  });

  test('label selector transitions: an object entering the selection is ADDED, leaving it is DELETED', async () => {
    await call(srv, 'POST', CM, cm('sel', { role: 'a' }));
    const rv = srv.resourceVersion();
    const w = await openWatch(srv, `${CM}?watch=true&resourceVersion=${rv}&labelSelector=role%3Db`);
    const patch = (role: string) =>
      call(
        srv,
        'PATCH',
        `${CM}/sel`,
        { metadata: { labels: { role } } },
        { contentType: 'application/merge-patch+json' },
      );
    await patch('b');
    await patch('c');
    expect((await w.next()).type).toBe('ADDED');
    expect((await w.next()).type).toBe('DELETED');
    w.close();
  });

  test('bookmarks carry the current resourceVersion when allowed, and never otherwise', async () => {
    const w = await openWatch(
      srv,
      `${CM}?watch=true&resourceVersion=${srv.resourceVersion()}&allowWatchBookmarks=true`,
    );
    const b = await w.next(2000);
    expect(b).toMatchObject({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1' } });
    expect(b.object.metadata.resourceVersion).toBe(srv.resourceVersion());
    w.close();
    const plain = await openWatch(srv, `${CM}?watch=true&resourceVersion=${srv.resourceVersion()}`);
    srv.sendBookmarks();
    await expect(plain.next(500)).rejects.toThrow('no watch event');
    plain.close();
  });

  test('sendInitialEvents ends the initial objects with an initial-events-end bookmark', async () => {
    const w = await openWatch(
      srv,
      `${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dw-before`,
    );
    expect((await w.next()).type).toBe('ADDED');
    const b = await w.next();
    expect(b.type).toBe('BOOKMARK');
    expect(b.object.metadata.annotations['k8s.io/initial-events-end']).toBe('true');
    w.close();
  });

  test('timeoutSeconds ends the stream cleanly', async () => {
    const w = await openWatch(
      srv,
      `${CM}?watch=true&resourceVersion=${srv.resourceVersion()}&timeoutSeconds=1`,
    );
    const t0 = Date.now();
    expect(await w.next(3000)).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThan(800);
    expect(await w.ended).toBe('end');
  });

  test('a resourceVersion older than the retained history gets ERROR 410 Expired, then the stream ends', async () => {
    const old = srv.resourceVersion();
    for (let i = 0; i < 60; i++) await call(srv, 'POST', CM, cm(`fill-${i}`));
    const w = await openWatch(srv, `${CM}?watch=true&resourceVersion=${old}`);
    expect(w.status).toBe(200);
    const e = await w.next();
    expect(e).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect(e.object.message).toContain('too old resource version');
    expect(await w.next()).toBeUndefined();
  });

  test('watching a single object by name path', async () => {
    const rv = srv.resourceVersion();
    const w = await openWatch(srv, `${CM}/w-before?watch=true&resourceVersion=${rv}`);
    await call(
      srv,
      'PATCH',
      `${CM}/fill-1`,
      { data: { v: 'x' } },
      { contentType: 'application/merge-patch+json' },
    );
    await call(
      srv,
      'PATCH',
      `${CM}/w-before`,
      { data: { v: 'x' } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(await w.next()).toMatchObject({ type: 'MODIFIED', object: { metadata: { name: 'w-before' } } });
    w.close();
  });
});

describe('faults', () => {
  test('failNext(n) fails exactly n matching requests with a Status, then recovers', async () => {
    srv.faults.failNext(2, { status: 500, path: '/configmaps', method: 'GET' });
    expect((await call(srv, 'GET', '/api/v1/namespaces/default/secrets')).status).toBe(200);
    expect((await call(srv, 'POST', CM, cm('during-fault'))).status).toBe(201);
    const a = await call(srv, 'GET', CM);
    expect(a.status).toBe(500);
    expect(a.body).toMatchObject({ kind: 'Status', code: 500, reason: 'InternalError' });
    expect((await call(srv, 'GET', CM)).status).toBe(500);
    expect((await call(srv, 'GET', CM)).status).toBe(200);
  });

  test('an injected 403 names the verb and resource like RBAC', async () => {
    srv.faults.failNext(1, { status: 403, path: /leases/ });
    const r = await call(
      srv,
      'PUT',
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/edgelb',
      {},
      { auth: 'token' },
    );
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(
      'leases.coordination.k8s.io "edgelb" is forbidden: User "edgelb-token" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system"',
    );
  });

  test('dropWatches resets open streams abruptly', async () => {
    const w = await openWatch(srv, `${CM}?watch=true&resourceVersion=${srv.resourceVersion()}`);
    expect(srv.openWatches()).toBeGreaterThan(0);
    srv.faults.dropWatches();
    const reason = await w.ended;
    expect(reason).not.toBe('end');
    expect(srv.openWatches()).toBe(0);
  });

  test('expireWatches sends ERROR 410 to open watches and makes old resourceVersions expire', async () => {
    const rv = srv.resourceVersion();
    await call(srv, 'POST', CM, cm('pre-expire'));
    const w = await openWatch(srv, `${CM}?watch=true&resourceVersion=${srv.resourceVersion()}`);
    srv.faults.expireWatches();
    expect(await w.next()).toMatchObject({ type: 'ERROR', object: { code: 410 } });
    expect(await w.next()).toBeUndefined();
    const again = await openWatch(srv, `${CM}?watch=true&resourceVersion=${rv}`);
    expect((await again.next()).object.code).toBe(410);
    const fresh = await openWatch(srv, `${CM}?watch=true&resourceVersion=${srv.resourceVersion()}`);
    await call(srv, 'POST', CM, cm('post-expire'));
    expect((await fresh.next()).type).toBe('ADDED');
    fresh.close();
  });

  test('hang holds requests (and watch events) until released, like a partition', async () => {
    const w = await openWatch(srv, `${CM}?watch=true&resourceVersion=${srv.resourceVersion()}`);
    srv.faults.hang(true, { path: '/configmaps' });
    const pending = call(srv, 'GET', `${CM}/w-before`, undefined, { signal: AbortSignal.timeout(3000) });
    const other = await call(srv, 'GET', '/api/v1/namespaces/default');
    expect(other.status).toBe(200);
    srv.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'during-hang', namespace: 'default' },
    });
    const raced = await Promise.race([pending.then(() => 'answered'), Bun.sleep(300).then(() => 'hung')]);
    expect(raced).toBe('hung');
    await expect(w.next(300)).rejects.toThrow('no watch event');
    srv.faults.hang(false);
    expect((await pending).status).toBe(200);
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'during-hang' } } });
    w.close();
  });

  test('a hung request whose client gave up is never executed', async () => {
    srv.faults.hang(true);
    const gaveUp = call(srv, 'POST', CM, cm('abandoned'), { signal: AbortSignal.timeout(200) });
    await expect(gaveUp).rejects.toThrow();
    await Bun.sleep(100); // let the server see the connection close
    srv.faults.hang(false);
    await Bun.sleep(50);
    expect(srv.get('v1', 'ConfigMap', 'default', 'abandoned')).toBeUndefined();
  });

  test('the same controls work over HTTP at /_test/faults', async () => {
    expect(
      (await call(srv, 'POST', '/_test/faults/failNext', { n: 1, status: 503, path: 're:configmaps$' }))
        .status,
    ).toBe(200);
    expect((await call(srv, 'GET', CM)).status).toBe(503);
    expect((await call(srv, 'GET', CM)).status).toBe(200);
    await call(srv, 'POST', '/_test/faults/failNext', { n: 5 });
    await call(srv, 'POST', '/_test/faults/reset', {});
    expect((await call(srv, 'GET', CM)).status).toBe(200);
  });
});
