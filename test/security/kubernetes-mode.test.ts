/**
 * Secrets and exposure, kubernetes mode: the real agent against the test API server with a
 * bearer-token kubeconfig, peering over TCP-MD5 with the password from a Secret named by
 * authSecretRef. Neither the token, the BGP password, other Secret values, nor the client
 * key appear in logs, /status, /metrics, or the errors for broken kubeconfigs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { BUN, freePort, MAIN, runCli } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { expectNoSecret, forms, get, md5Router, poll, startAgent } from './support.ts';

const why = missing({ root: true, tools: [] });
const PASSWORD = 'k8s-md5-Pw-Vq2rN8';
const OTHER = 'k8s-other-Value-J5t';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Distinctive pieces of a PEM private key: each base64 line of its body. */
function keyFragments(pem: string): string[] {
  return pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .filter((l) => l.length >= 32);
}

describe.skipIf(!!why)('kubernetes mode with a token kubeconfig and an authSecretRef', () => {
  let api: TestApiServer;
  let dir: string;
  let router: ReturnType<typeof md5Router>;
  let agent: ReturnType<typeof startAgent> | undefined;
  let url: string;
  let secrets: string[];

  const writeConfig = (name: string, kubeconfig: string, httpPort: number) => {
    const p = join(dir, name);
    writeFileSync(
      p,
      `nodeName: edge
source: kubernetes
kubernetes:
  kubeconfig: ${kubeconfig}
  leaderElection: {leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1}
bgp:
  routerId: 10.255.0.9
http:
  listen: 127.0.0.1:${httpPort}
log:
  level: debug
`,
    );
    return p;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgelb-sec-kube-'));
    api = await startApiServer();
    secrets = [
      api.token,
      PASSWORD,
      OTHER,
      ...keyFragments(readFileSync(api.clientKeyFile, 'utf8')),
      b64(readFileSync(api.clientKeyFile, 'utf8')).slice(0, 64),
    ];
    const manifests = Bun.spawnSync([BUN, MAIN, 'manifests']);
    for (const doc of parseAllDocuments(manifests.stdout.toString())) {
      const o = doc.toJS();
      if (o) api.create(o);
    }
    const bgpPort = await freePort();
    api.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'edge', labels: { 'kubernetes.io/hostname': 'edge' } },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] },
    });
    api.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bgp-auth', namespace: 'kube-system' },
      data: { password: b64(PASSWORD), unused: b64(OTHER) },
    });
    api.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'pool' },
      spec: { blocks: [{ cidr: '198.51.100.0/30' }] },
    });
    api.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BGPPeeringPolicy',
      metadata: { name: 'router' },
      spec: {
        virtualRouters: [
          {
            localASN: 65001,
            serviceSelector: {},
            neighbors: [
              {
                peerAddress: '127.0.0.1/32',
                peerPort: bgpPort,
                peerASN: 65000,
                connectRetryTimeSeconds: 1,
                holdTimeSeconds: 9,
                keepAliveTimeSeconds: 3,
                authSecretRef: { name: 'bgp-auth' },
              },
              {
                peerAddress: '127.0.0.5/32',
                peerPort: bgpPort,
                peerASN: 65000,
                authSecretRef: { name: 'bgp-auth', key: 'nope' },
              },
            ],
          },
        ],
      },
    });
    api.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    });
    router = md5Router(bgpPort, PASSWORD);
    const httpPort = await freePort();
    url = `http://127.0.0.1:${httpPort}`;
    agent = startAgent(writeConfig('config.yaml', api.kubeconfigToken, httpPort), url);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await router?.stop('keep');
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  test('the token kubeconfig does hold the token (the grep below would see it)', () => {
    expect(readFileSync(api.kubeconfigToken, 'utf8')).toContain(api.token);
    expect(readFileSync(api.kubeconfigCert, 'utf8')).toContain(b64(readFileSync(api.clientKeyFile, 'utf8')));
  });

  test('the agent leads, allocates, and peers over TCP-MD5 with the Secret password', async () => {
    await poll(
      'the MD5 session Established at the router',
      async () => (router.status()[0]?.state === 'Established' ? true : undefined),
      25_000,
    );
    const svc = await poll('the Service IP', async () => {
      const s = api.get('v1', 'Service', 'default', 'web');
      return s?.status?.loadBalancer?.ingress?.[0]?.ip as string | undefined;
    });
    expect(svc).toBe('198.51.100.1');
  }, 30_000);

  test('no token, password, other Secret value or key in /status, /metrics, the logs', async () => {
    const status = await poll('the missing-key problem in /status', async () => {
      const s = (await get(`${url}/status`)).body;
      return (JSON.parse(s).problems as string[]).some((p) => p.includes('no key "nope"')) ? s : undefined;
    });
    const outputs: Record<string, string> = { '/status': status };
    for (const p of ['/metrics', '/readyz', '/healthz', '/nope']) outputs[p] = (await get(`${url}${p}`)).body;
    // what the agent wrote to the API server (Service status, conditions, Events, Lease)
    outputs['api objects'] = JSON.stringify([
      api.list('v1', 'Service'),
      api.list('v1', 'Event'),
      api.list('coordination.k8s.io/v1', 'Lease'),
      api.list('edgelb.io/v1alpha1', 'BGPPeeringPolicy'),
      api.list('edgelb.io/v1alpha1', 'LoadBalancerIPPool'),
    ]);
    await agent!.stop();
    const { stdout, stderr } = agent!.output();
    agent = undefined;
    outputs.stdout = stdout;
    outputs.stderr = stderr;
    expect(stderr).toContain('bgp session established');
    expectNoSecret(outputs, secrets);
  }, 30_000);

  describe('broken kubeconfigs: the error names the problem, never the credential', () => {
    const tokenLine = () => readFileSync(api.kubeconfigToken, 'utf8');

    test.each([
      [
        'a YAML error on the token line',
        () => tokenLine().replace(`token: ${api.token}`, `token: ${api.token}: [`),
      ],
      [
        'a context naming a missing cluster',
        () => tokenLine().replace('cluster: edgelb-test', 'cluster: nowhere'),
      ],
      [
        'a client key that is not a key',
        () =>
          readFileSync(api.kubeconfigCert, 'utf8').replace(
            /client-key-data: .*/,
            `client-key-data: ${b64(`-----BEGIN PRIVATE KEY-----\n${api.token}\n-----END PRIVATE KEY-----\n`)}`,
          ),
      ],
    ])(
      '%s',
      async (_name, make) => {
        const kc = join(dir, 'broken-kubeconfig.yaml');
        writeFileSync(kc, make());
        const httpPort = await freePort();
        const r = runCli(['run', '--config', writeConfig('broken.yaml', kc, httpPort)], { timeoutMs: 4000 });
        const out = `${r.stdout}\n${r.stderr}`;
        // a bad kubeconfig is refused at start (78); a key Bun cannot use only shows up as
        // failing requests ("FailedToOpenSocket"), so the agent keeps retrying until stopped
        expect(out).toMatch(/kubeconfig|FailedToOpenSocket|certificate|tls/i);
        expectNoSecret({ output: out }, secrets);
      },
      15_000,
    );

    test('a wrong token: 401 from the API server is reported; neither token is shown', async () => {
      const wrong = `wrong-${api.token.slice(0, 8)}-Tok9xQ`;
      const kc = join(dir, 'wrong-token.yaml');
      writeFileSync(kc, tokenLine().replace(`token: ${api.token}`, `token: ${wrong}`));
      const httpPort = await freePort();
      const a = startAgent(writeConfig('wrong.yaml', kc, httpPort), `http://127.0.0.1:${httpPort}`);
      try {
        const status = await poll('the agent to report the 401', async () => {
          const s = (await get(`http://127.0.0.1:${httpPort}/status`)).body;
          return /401|nauthori[sz]ed/i.test(`${s}${a.output().stderr}`) ? s : undefined;
        });
        const metrics = (await get(`http://127.0.0.1:${httpPort}/metrics`)).body;
        await a.stop();
        expectNoSecret({ status, metrics, stderr: a.output().stderr, stdout: a.output().stdout }, [
          ...secrets,
          wrong,
        ]);
      } finally {
        await a.stop();
      }
    }, 30_000);
  });
});

test('forms() covers the encodings a leak would use', () => {
  expect(forms('abcdefgh-123')).toContain(b64('abcdefgh-123').replace(/=+$/, ''));
});
