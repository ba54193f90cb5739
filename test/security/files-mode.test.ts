/**
 * Secrets and exposure, files mode: the real agent (`edgelb run`) peers over TCP-MD5 with
 * a password from a Secret manifest. The password never appears in its logs (debug level),
 * /status, /metrics, /readyz, the state file, or the problems it reports for a broken
 * Secret. The state file is mode 0600 in a 0700 directory; unknown paths are 404.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { type Agent, expectNoSecret, forms, get, md5Router, poll, startAgent } from './support.ts';

const why = missing({ root: true, tools: [] });
const PASSWORD = 'md5-Pw-7f3Kq9zX';
const OTHER = 'never-Shown-4u8Wd';
const WRONG = 'wrong-Pw-b7Tn2Lm';

describe.skipIf(!!why)('files mode with a TCP-MD5 peer', () => {
  let dir: string;
  let agent: (Agent & { stop(): Promise<number | null> }) | undefined;
  let router: ReturnType<typeof md5Router>;
  let bgpPort: number;
  let url: string;
  let manifests: string;
  let statePath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgelb-sec-files-'));
    manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    statePath = join(dir, 'var', 'state.json');
    bgpPort = await freePort();
    const httpPort = await freePort();
    url = `http://127.0.0.1:${httpPort}`;
    writeFileSync(
      join(manifests, 'all.yaml'),
      `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata: {name: pool}
spec:
  blocks: [{cidr: 198.51.100.0/30}]
---
apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata: {name: router}
spec:
  virtualRouters:
    - localASN: 65001
      serviceSelector: {}
      neighbors:
        - peerAddress: 127.0.0.1/32
          peerPort: ${bgpPort}
          peerASN: 65000
          connectRetryTimeSeconds: 1
          holdTimeSeconds: 9
          keepAliveTimeSeconds: 3
          authSecretRef: {name: bgp-auth, namespace: kube-system}
        - peerAddress: 127.0.0.6/32
          peerPort: ${bgpPort}
          peerASN: 65000
          connectRetryTimeSeconds: 1
          authSecretRef: {name: bgp-auth-wrong, namespace: kube-system}
        - peerAddress: 127.0.0.7/32
          peerASN: 65000
          authSecretRef: {name: bgp-auth, namespace: kube-system, key: nope}
---
apiVersion: v1
kind: Secret
metadata: {name: bgp-auth-wrong, namespace: kube-system}
stringData:
  password: ${WRONG}
---
apiVersion: v1
kind: Secret
metadata: {name: bgp-auth, namespace: kube-system}
data:
  password: ${Buffer.from(PASSWORD).toString('base64')}
  unused: ${Buffer.from(OTHER).toString('base64')}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: LoadBalancer
  ports: [{port: 80, protocol: TCP}]
`,
    );
    writeFileSync(
      join(dir, 'config.yaml'),
      `source: files
nodeName: edge
files:
  manifests: ${manifests}
  state: ${statePath}
bgp:
  routerId: 10.255.0.9
  shutdown: withdraw
http:
  listen: 127.0.0.1:${httpPort}
log:
  level: debug
`,
    );
    // The router: a Speaker listening with the same TCP-MD5 key for the agent's address.
    router = md5Router(bgpPort, PASSWORD);
    agent = startAgent(join(dir, 'config.yaml'), url);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await router?.stop('keep');
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  test('the manifests do hold the password (the grep below would see it)', () => {
    const text = readFileSync(join(manifests, 'all.yaml'), 'utf8');
    expect(forms(PASSWORD).some((f) => text.includes(f))).toBe(true);
  });

  test('the session comes up over TCP-MD5 and the route is announced', async () => {
    await poll(
      'the MD5 session Established at the router',
      async () => (router.status()[0]?.state === 'Established' ? true : undefined),
      20_000,
    );
    const status = await poll('the agent to report Established', async () => {
      const s = JSON.parse((await get(`${url}/status`)).body);
      const peer = s.bgp?.peers?.find((p: { address: string }) => p.address === '127.0.0.1');
      return peer?.state === 'Established' && s.bgp.advertised.length > 0 ? s : undefined;
    });
    expect(status.bgp.advertised).toEqual(['198.51.100.1/32']);
  }, 30_000);

  test('no secret in /status, /metrics, /readyz, /healthz, an error page, the state file, or the logs', async () => {
    // A Secret that fails validation (its bad value must not be echoed) and a neighbour whose
    // Secret lacks the key: both are reported as problems.
    writeFileSync(
      join(manifests, 'broken.yaml'),
      `apiVersion: v1
kind: Secret
metadata: {name: broken, namespace: kube-system}
data:
  password: "${OTHER}!!not-base64"
`,
    );
    await poll('the broken Secret reported', async () => {
      const s = (await get(`${url}/status`)).body;
      return s.includes('broken') ? s : undefined;
    });
    const outputs: Record<string, string> = {};
    for (const p of ['/status', '/metrics', '/readyz', '/healthz', '/nope', '/status?password=x'])
      outputs[p] = (await get(`${url}${p}`)).body;
    for (const f of readdirSync(join(dir, 'var')))
      outputs[`state dir: ${f}`] = readFileSync(join(dir, 'var', f), 'utf8');
    expect(outputs['/status']).toContain('broken');
    expect(outputs['/status']).toContain('no key \\"nope\\"');
    expect(outputs['/status']).toContain('127.0.0.6');
    await agent!.stop();
    const { stdout, stderr } = agent!.output();
    outputs.stdout = stdout;
    outputs.stderr = stderr;
    expect(stderr).toContain('bgp session established');
    expect(stderr.length).toBeGreaterThan(1000);
    expect(stderr).toContain('127.0.0.6');
    expectNoSecret(outputs, [PASSWORD, OTHER, WRONG]);
    agent = undefined;
  }, 30_000);

  test('the state file is 0600 in a 0700 directory, and so is its backup', () => {
    const st = statSync(statePath);
    expect((st.mode & 0o777).toString(8)).toBe('600');
    expect((statSync(join(dir, 'var')).mode & 0o777).toString(8)).toBe('700');
    for (const f of readdirSync(join(dir, 'var')))
      expect([f, (statSync(join(dir, 'var', f)).mode & 0o077).toString(8)]).toEqual([f, '0']);
  });
});
