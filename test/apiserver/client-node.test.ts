/**
 * @kubernetes/client-node (the library edgelb builds on) against the test API server over
 * TLS with the client-certificate kubeconfig: typed calls, error mapping, MicroTime, and its
 * ListWatch informer through a 410 relist. Bun's fetch gets the TLS material explicitly
 * (client-node's undici dispatcher is ignored under Bun; see DESIGN.md "Known traps").
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

let srv: TestApiServer;
let kc: k8s.KubeConfig;
let tls: { ca?: unknown; cert?: unknown; key?: unknown };
let core: k8s.CoreV1Api;
let coordination: k8s.CoordinationV1Api;

class BunFetchLibrary implements k8s.PromiseHttpLibrary {
  async send(req: k8s.RequestContext): Promise<k8s.ResponseContext> {
    const r = await fetch(req.getUrl(), {
      method: req.getHttpMethod().toString(),
      body: req.getBody() as string | undefined,
      headers: req.getHeaders(),
      signal: AbortSignal.timeout(5000),
      tls,
    } as RequestInit);
    const headers: Record<string, string> = {};
    r.headers.forEach((v, n) => {
      headers[n] = v;
    });
    const body = await r.arrayBuffer();
    return new k8s.ResponseContext(
      r.status,
      headers,
      new k8s.SelfDecodingBody(Promise.resolve(Buffer.from(body))),
    );
  }
}

/** The duck-typed Watch that ListWatch needs, on Bun's fetch. */
const bunWatch = {
  async watch(
    path: string,
    query: Record<string, unknown>,
    cb: (type: string, obj: unknown) => void,
    done: (err: unknown) => void,
  ) {
    const url = new URL(srv.url + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    url.searchParams.set('watch', 'true'); // as client-node's own Watch does
    const ac = new AbortController();
    let finished = false;
    const finish = (err: unknown) => {
      if (!finished) {
        finished = true;
        done(err);
      }
    };
    const r = await fetch(url, { signal: ac.signal, tls } as RequestInit);
    if (r.status !== 200) {
      finish(Object.assign(new Error(`watch ${r.status}`), { statusCode: r.status }));
      return ac;
    }
    (async () => {
      const reader = r.body!.getReader();
      let buf = '';
      for (;;) {
        const { value, done: d } = await reader.read();
        if (d) break;
        buf += new TextDecoder().decode(value);
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line);
          cb(ev.type, ev.object);
        }
      }
    })().then(
      () => finish(null),
      (e) => finish(e),
    );
    return ac;
  },
} as unknown as k8s.Watch;

beforeAll(async () => {
  srv = await startApiServer({ bookmarkIntervalMs: 200 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(srv.kubeconfigCert);
  const opts: Record<string, unknown> = {};
  await kc.applyToHTTPSOptions(opts as never);
  tls = { ca: opts.ca, cert: opts.cert, key: opts.key };
  const cfg = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(kc.getCurrentCluster()!.server, {}),
    authMethods: { default: kc },
    httpApi: k8s.wrapHttpLibrary(new BunFetchLibrary()),
  });
  core = new k8s.CoreV1Api(cfg);
  coordination = new k8s.CoordinationV1Api(cfg);
});
afterAll(async () => {
  await srv?.stop();
});

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 0;
  } catch (e) {
    return (e as k8s.ApiException<unknown>).code;
  }
};

describe('client-node typed API', () => {
  test('create, read, stale replace → ApiException 409, status replace', async () => {
    const body: k8s.V1Service = {
      metadata: { name: 'cn1' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    };
    const created = await core.createNamespacedService({ namespace: 'default', body });
    expect(created.spec?.clusterIP).toMatch(/^10\.43\./);
    const fresh = await core.readNamespacedService({ name: 'cn1', namespace: 'default' });
    fresh.status = { loadBalancer: { ingress: [{ ip: '172.198.1.1', ipMode: 'VIP' }] } };
    const st = await core.replaceNamespacedServiceStatus({ name: 'cn1', namespace: 'default', body: fresh });
    expect(st.status?.loadBalancer?.ingress?.[0]?.ip).toBe('172.198.1.1');
    expect(
      await code(core.replaceNamespacedServiceStatus({ name: 'cn1', namespace: 'default', body: fresh })),
    ).toBe(409);
    expect(await code(core.readNamespacedService({ name: 'nope', namespace: 'default' }))).toBe(404);
    expect(await code(core.createNamespacedService({ namespace: 'default', body }))).toBe(409);
  });

  test('Lease with V1MicroTime is accepted; a plain Date is rejected (the MicroTime trap)', async () => {
    const lease = (name: string, renewTime: Date): k8s.V1Lease => ({
      metadata: { name },
      spec: { holderIdentity: 'node-a', leaseDurationSeconds: 15, renewTime },
    });
    const ok = await coordination.createNamespacedLease({
      namespace: 'kube-system',
      body: lease('micro', new k8s.V1MicroTime()),
    });
    expect(ok.spec?.holderIdentity).toBe('node-a');
    expect(
      await code(
        coordination.createNamespacedLease({ namespace: 'kube-system', body: lease('plain', new Date()) }),
      ),
    ).toBe(400);
  });
});

describe('client-node ListWatch informer', () => {
  test('syncs, follows changes, and relists after a 410 so the cache equals the server', async () => {
    for (const n of ['a', 'b'])
      srv.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `inf-${n}`, namespace: 'default' },
      });
    const path = '/api/v1/namespaces/default/configmaps';
    const inf = new k8s.ListWatch<k8s.V1ConfigMap>(
      `${path}?allowWatchBookmarks=true`,
      bunWatch,
      () => core.listNamespacedConfigMap({ namespace: 'default' }),
      false,
    );
    const seen: string[] = [];
    inf.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    inf.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    const names = () =>
      inf
        .list()
        .map((o) => o.metadata?.name)
        .sort();
    const until = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 100 && !pred(); i++) await Bun.sleep(20);
      if (!pred()) throw new Error(`informer never reached: ${what}; cache=${names()}`);
    };
    await inf.start();
    try {
      expect(names()).toEqual(['inf-a', 'inf-b']);
      await until(() => srv.openWatches() === 1, 'watch open');
      srv.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inf-c', namespace: 'default' } });
      await until(() => names().includes('inf-c'), 'inf-c added');
      await until(() => inf.latestResourceVersion() === srv.resourceVersion(), 'bookmark resourceVersion');
      // While it is told its history expired, an object disappears: only a relist can notice.
      srv.faults.expireWatches();
      srv.remove('v1', 'ConfigMap', 'default', 'inf-a');
      await until(() => !names().includes('inf-a'), 'relist removed inf-a');
      expect(names()).toEqual(
        srv
          .list('v1', 'ConfigMap', 'default')
          .map((o) => o.metadata.name)
          .sort(),
      );
      expect(seen).toContain('delete:inf-a');
      expect(
        srv.requests.filter(
          (r) => r.method === 'GET' && r.path.startsWith(path) && !r.path.includes('watch='),
        ).length,
      ).toBeGreaterThanOrEqual(2);
    } finally {
      await inf.stop();
    }
  });
});
