/** Kubeconfig loading and the transport's behaviour on bad input, token rotation and RBAC denials. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRequest } from '../../agent/kube/describe-request.ts';
import { loadKubeconfig, resolveKubeconfigPath } from '../../agent/kube/kubeconfig.ts';
import { KubeApiError, KubeClient, KubeTransportError } from '../../agent/kube/transport.ts';
import { UserError } from '../../agent/lib/errors.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgelb-kubeconfig-test-'));

function expectUserError(f: () => unknown, ...parts: string[]): void {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(UserError);
  expect((caught as UserError).exitCode).toBe(78);
  for (const p of parts) expect((caught as UserError).message).toContain(p);
}

describe('kubeconfig errors are exit 78 naming the path', () => {
  test('missing file', () => {
    const p = join(dir, 'nope.yaml');
    expectUserError(() => loadKubeconfig({ path: p }), p, 'cannot read');
  });

  test('unreadable file', () => {
    // tests run as root, which reads any file: a directory cannot be read as one by anybody
    const d = join(dir, 'a-directory');
    Bun.spawnSync(['mkdir', '-p', d]);
    expectUserError(() => loadKubeconfig({ path: d }), d, 'cannot read');
  });

  test('malformed YAML and missing pieces', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters: [\n  - {name: x\n');
    expectUserError(() => loadKubeconfig({ path: bad }), bad, 'malformed');
    const noCtx = join(dir, 'noctx.yaml');
    writeFileSync(noCtx, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    expectUserError(() => loadKubeconfig({ path: noCtx }), noCtx, 'current-context');
    const noFile = join(dir, 'nocert.yaml');
    writeFileSync(
      noFile,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: c',
        'contexts: [{name: c, context: {cluster: k, user: u}}]',
        'clusters: [{name: k, cluster: {server: "https://127.0.0.1:1", certificate-authority: missing-ca.crt}}]',
        'users: [{name: u, user: {token: abc}}]',
      ].join('\n'),
    );
    expectUserError(() => loadKubeconfig({ path: noFile }), noFile, join(dir, 'missing-ca.crt'));
  });

  test('unusable TLS material is named, not left to a socket error at the first request', () => {
    const garbage = Buffer.from('not a pem block').toString('base64');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const goodKey = Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).toString(
      'base64',
    );
    for (const [key, expected] of [
      [garbage, 'client-key is not a PEM private key'],
      [goodKey, 'client-certificate is not a PEM certificate'],
    ] as const) {
      const p = join(dir, `bad-tls-${expected.split(' ')[0]}.yaml`);
      writeFileSync(
        p,
        [
          'apiVersion: v1',
          'kind: Config',
          'current-context: c',
          'contexts: [{name: c, context: {cluster: k, user: u}}]',
          'clusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]',
          `users: [{name: u, user: {client-key-data: ${key}, client-certificate-data: ${garbage}}}]`,
        ].join('\n'),
      );
      expectUserError(() => loadKubeconfig({ path: p }), p, expected);
    }
  });

  test('no kubeconfig anywhere and not in a cluster', () => {
    expectUserError(
      () => loadKubeconfig({ env: {}, home: dir, inClusterDir: join(dir, 'none') }),
      'none found',
    );
  });

  test('search order: explicit, $KUBECONFIG (first entry), ~/.kube/config', () => {
    expect(resolveKubeconfigPath({ path: '/x', env: { KUBECONFIG: '/y' } })).toBe('/x');
    expect(resolveKubeconfigPath({ env: { KUBECONFIG: ':/y:/z' }, home: dir })).toBe('/y');
    expect(resolveKubeconfigPath({ env: {}, home: dir })).toBeUndefined();
  });

  test('in-cluster service account', () => {
    const sa = join(dir, 'sa');
    Bun.spawnSync(['mkdir', '-p', sa]);
    writeFileSync(join(sa, 'token'), 'tok1\n');
    writeFileSync(join(sa, 'ca.crt'), 'CA');
    writeFileSync(join(sa, 'namespace'), 'edgelb-system');
    const ep = loadKubeconfig({
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
      home: dir,
      inClusterDir: sa,
    });
    expect(ep.server).toBe('https://[fd00::1]:443');
    expect(ep.tls.ca).toBe('CA');
    expect(ep.namespace).toBe('edgelb-system');
  });
});

describe('transport against the TLS test server', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startApiServer({ dir: mkdtempSync(join(tmpdir(), 'edgelb-kubeconfig-srv-')) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('the -data and file forms both authenticate with the client certificate', async () => {
    for (const p of [server.kubeconfigCert, server.kubeconfigCertFiles]) {
      const c = new KubeClient(loadKubeconfig({ path: p }), { log: memoryLogger() });
      const list = await c.request<{ kind: string }>('GET', '/api/v1/nodes');
      expect(list.kind).toBe('NodeList');
      expect(server.requests.at(-1)?.user).toBe('edgelb-node');
    }
  });

  test('the CA is checked: a kubeconfig without it fails, insecure-skip-tls-verify works with a warning', async () => {
    const text = readFileSync(server.kubeconfigToken, 'utf8');
    const noCa = join(dir, 'no-ca.yaml');
    writeFileSync(noCa, text.replace(/^\s*certificate-authority(-data)?:.*$/m, ''));
    const c1 = new KubeClient(loadKubeconfig({ path: noCa }), { log: memoryLogger() });
    const err = await c1.request('GET', '/api/v1/nodes').catch((e) => e);
    expect(err).toBeInstanceOf(KubeTransportError);
    const insecure = join(dir, 'insecure.yaml');
    writeFileSync(
      insecure,
      text.replace(/^(\s*)certificate-authority(-data)?:.*$/m, '$1insecure-skip-tls-verify: true'),
    );
    const log = memoryLogger();
    const c2 = new KubeClient(loadKubeconfig({ path: insecure, log }), { log });
    expect(((await c2.request('GET', '/api/v1/nodes')) as { kind: string }).kind).toBe('NodeList');
    expect(log.lines.some((l) => l.includes('insecure-skip-tls-verify'))).toBe(true);
  });

  test('a token file is re-read when it changes', async () => {
    const ep = loadKubeconfig({ path: server.kubeconfigTokenFile });
    const c = new KubeClient(ep, { log: memoryLogger() });
    await c.request('GET', '/api/v1/nodes');
    writeFileSync(server.tokenFile, 'not-the-token-anymore\n');
    const err = await c.request('GET', '/api/v1/nodes').catch((e) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(401);
    writeFileSync(server.tokenFile, `${server.token}\n`);
    expect(((await c.request('GET', '/api/v1/nodes')) as { kind: string }).kind).toBe('NodeList');
  });

  test('a 403 logs the verb and resource RBAC lacks', async () => {
    const log = memoryLogger();
    const c = new KubeClient(loadKubeconfig({ path: server.kubeconfigToken }), { log });
    server.faults.failNext(1, { status: 403, path: '/leases/' });
    const err = await c
      .request('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/edgelb', { body: {} })
      .catch((e) => e);
    expect((err as KubeApiError).status).toBe(403);
    const line = log.lines.find((l) => l.includes('RBAC'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ verb: 'update', resource: 'leases.coordination.k8s.io' });
  });

  test('describeRequest names verbs and resources', () => {
    expect(describeRequest('GET', '/api/v1/services', { watch: true })).toEqual({
      verb: 'watch',
      resource: 'services',
    });
    expect(describeRequest('PUT', '/api/v1/namespaces/a/services/b/status')).toEqual({
      verb: 'update',
      resource: 'services/status',
    });
    expect(describeRequest('POST', '/apis/events.k8s.io/v1/namespaces/a/events')).toEqual({
      verb: 'create',
      resource: 'events.events.k8s.io',
    });
  });
});
