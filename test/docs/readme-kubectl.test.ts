/**
 * The README's kubectl commands, run as written (by `sh`, with the README's own text) against
 * the test API server with RBAC on: the by-hand kubeconfig, the BGP password Secret and its Role,
 * labelling and cordoning a node, the pool's held IPs, the L2 heartbeat Leases, the kube-vip
 * ConfigMap piped into `edgelb convert`, revoking the node token. Only placeholders (NODE, NS,
 * the blog's API server address) are replaced. Loopback only; no root.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEARTBEAT_LABEL, heartbeatLease } from '../../agent/l2/heartbeat-lease.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { BUN, MAIN, ROOT } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { kubectlPath } from '../support/kubectl.ts';
import { readmeCommands } from './readme-shell.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COMMANDS = new Set(readmeCommands(README));
const why = missing({ tools: ['unzip', 'base64'] });
const BLOG_SERVER = 'https://192.168.2.12:6443';

let srv: TestApiServer;
let dir: string;

/** The README's command, checked to be there word for word. */
function readme(cmd: string): string {
  if (!COMMANDS.has(cmd)) throw new Error(`the README no longer shows: ${cmd}`);
  return cmd;
}

/** The README's code block whose first line is `first`. */
function block(first: string): string {
  const m = [...README.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].find((b) => b[1]!.startsWith(`${first}\n`));
  if (!m) throw new Error(`the README no longer has a block starting with: ${first}`);
  return m[1]!;
}

/**
 * kubectl create sends built-in objects as protobuf, which the test API server does not speak:
 * the same command builds the object (--dry-run=client) and apply sends it as JSON.
 */
function viaApply(create: string): string {
  return `${create} --dry-run=client -o yaml | kubectl apply -f -`;
}

async function sh(script: string, allowFail = false) {
  const child = Bun.spawn(['sh', '-ec', script], {
    cwd: dir,
    env: {
      ...process.env,
      PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      KUBECONFIG: srv.kubeconfigCert,
      HOME: dir,
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  if (code !== 0 && !allowFail) throw new Error(`${script}\nexit ${code}: ${stderr || stdout}`);
  return { code, stdout, stderr };
}

describe.skipIf(!!why)('the README kubectl commands, against the test API server', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgelb-readme-kubectl-'));
    mkdirSync(join(dir, 'bin'));
    symlinkSync(kubectlPath(), join(dir, 'bin', 'kubectl'));
    writeFileSync(join(dir, 'bin', 'edgelb'), `#!/bin/sh\nexec '${BUN}' '${MAIN}' "$@"\n`);
    chmodSync(join(dir, 'bin', 'edgelb'), 0o755);
    srv = await startApiServer({ rbac: true });
    for (const node of ['worker', 'pi4'])
      srv.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels: {} } });
  });
  afterAll(async () => {
    await srv?.stop();
  }, 30_000);

  test('by hand: manifests, token Secret and a node kubeconfig that authenticates as the ServiceAccount', async () => {
    await sh(block('edgelb manifests | kubectl apply -f -').replaceAll(BLOG_SERVER, srv.url));
    const kc = readFileSync(join(dir, 'edgelb-node.kubeconfig'), 'utf8');
    expect(kc).toContain(srv.url);
    expect(kc).toContain('certificate-authority-data');
    const r = await sh('kubectl --kubeconfig=edgelb-node.kubeconfig get services -A -o name');
    expect(r.stdout).toBe('');
    expect(srv.requests.at(-1)).toMatchObject({
      path: '/api/v1/services?limit=500',
      status: 200,
      user: 'system:serviceaccount:kube-system:edgelb',
    });
    // What the manifests do not grant stays forbidden: the identity is the ServiceAccount's.
    const denied = await sh('kubectl --kubeconfig=edgelb-node.kubeconfig get secrets -A', true);
    expect(denied.stderr).toContain('forbidden');
    // L2 mode: the same manifests again, naming the nodes whose heartbeat Leases they may renew.
    await sh(`${readme('edgelb manifests --l2-nodes pi4,worker,master')} | kubectl apply -f -`);
    const role = srv.get('rbac.authorization.k8s.io/v1', 'Role', 'kube-system', 'edgelb');
    expect(role.rules.flatMap((r: { resourceNames?: string[] }) => r.resourceNames ?? [])).toEqual(
      expect.arrayContaining(['edgelb-node-pi4', 'edgelb-node-worker', 'edgelb-node-master']),
    );
  }, 30_000);

  test('the BGP password Secret and the Role that lets the agents read exactly it', async () => {
    await sh(
      viaApply(
        readme("kubectl -n kube-system create secret generic bgp-auth --from-literal=password='s3cret'"),
      ),
    );
    await sh(
      viaApply(
        readme(
          'kubectl -n kube-system create role edgelb-bgp-auth --verb=get --resource=secrets --resource-name=bgp-auth',
        ),
      ),
    );
    await sh(
      viaApply(
        readme(
          'kubectl -n kube-system create rolebinding edgelb-bgp-auth --role=edgelb-bgp-auth --serviceaccount=kube-system:edgelb',
        ),
      ),
    );
    const got = await sh(
      'kubectl --kubeconfig=edgelb-node.kubeconfig -n kube-system get secret bgp-auth -o name',
    );
    expect(got.stdout.trim()).toBe('secret/bgp-auth');
    const fill = readme("kubectl get secret -n NS NAME -o jsonpath='{.data.KEY}' | base64 -d");
    const r = await sh(
      fill.replace('NS', 'kube-system').replace('NAME', 'bgp-auth').replace('KEY', 'password'),
    );
    expect(r.stdout).toBe('s3cret');
  }, 30_000);

  test('convert the blog, apply it, label a node, list the pools and read the held IPs', async () => {
    copyFileSync(join(ROOT, 'test/fixtures/convert/blog-cilium.yaml'), join(dir, 'cilium.yaml'));
    await sh(readme('edgelb convert -f cilium.yaml > edgelb.yaml'));
    expect((await sh(readme('kubectl apply -f edgelb.yaml'))).stdout).toContain(
      'loadbalancerippool.edgelb.io/nginx-ingress created',
    );
    await sh(readme('kubectl label node worker peering=yes'));
    expect((await sh(readme('kubectl get node worker --show-labels'))).stdout).toContain('peering=yes');
    expect((await sh(readme('kubectl get loadbalancerippools'))).stdout).toMatch(
      /^NAME\s.*\nnginx-ingress\s/,
    );

    const [, heldCmd, heldOut] = /```sh\n(kubectl get loadbalancerippool .*)\n# (.*)\n```/.exec(README) ?? [];
    expect(heldCmd).toBeDefined();
    const pool = srv.get('edgelb.io/v1alpha1', 'LoadBalancerIPPool', undefined, 'nginx-ingress');
    srv.update({ ...pool, status: { held: JSON.parse(heldOut!), heldCount: 1 } });
    expect((await sh(readme(heldCmd!))).stdout).toBe(heldOut!);
  }, 30_000);

  test('the README Service: get and describe; cordon and uncordon a node', async () => {
    const svc = README.split('```yaml\n').find((b) => b.includes('name: ingress-nginx-controller'))!;
    writeFileSync(join(dir, 'svc.yaml'), svc.slice(0, svc.indexOf('```')));
    await sh(`${viaApply('kubectl create namespace ingress-nginx')} && kubectl apply -f svc.yaml`);
    expect((await sh(readme('kubectl get svc -A'))).stdout).toMatch(
      /ingress-nginx\s+ingress-nginx-controller\s+LoadBalancer/,
    );
    expect((await sh(`${readme('kubectl get service')} -n ingress-nginx`)).stdout).toContain('<pending>');
    expect((await sh(`${readme('kubectl describe service')} -n ingress-nginx`)).stdout).toContain(
      'io.cilium/lb-ipam-ips: 172.198.1.1',
    );
    await sh(readme('kubectl cordon NODE').replace('NODE', 'worker'));
    expect(srv.get('v1', 'Node', undefined, 'worker').spec.unschedulable).toBe(true);
    await sh(readme('kubectl uncordon NODE').replace('NODE', 'worker'));
    expect(srv.get('v1', 'Node', undefined, 'worker').spec.unschedulable).toBeFalsy();
  }, 30_000);

  test('L2: the walkthrough policy applies; the heartbeat Leases show who owns what', async () => {
    const lan = README.split('```yaml\n').find((b) => b.includes('kind: L2AnnouncementPolicy\n'))!;
    writeFileSync(join(dir, 'lan.yaml'), lan.slice(0, lan.indexOf('```')));
    await sh('kubectl apply -f lan.yaml');
    expect((await sh(readme('kubectl get l2announcementpolicy lan -o yaml'))).stdout).toContain('- lan');
    const now = Date.now();
    srv.create(
      heartbeatLease(undefined, 'kube-system', {
        node: 'pi4',
        owned: ['192.168.2.200', 'fd00:2::200'],
        durationSeconds: 2,
        acquireTime: new Date(now).toISOString().replace('Z', '000Z'),
        now,
      }),
    );
    expect(HEARTBEAT_LABEL).toBe('edgelb.io/l2-heartbeat');
    const r = await sh(
      readme(
        String.raw`kubectl -n kube-system get lease -l edgelb.io/l2-heartbeat=true -o custom-columns='NODE:.spec.holderIdentity,OWNS:.metadata.annotations.edgelb\.io/l2-owned'`,
      ),
    );
    expect(r.stdout.split('\n')[1]).toMatch(/^pi4\s+192\.168\.2\.200,fd00:2::200$/);
  }, 30_000);

  test('kube-vip: the ConfigMap piped into edgelb convert', async () => {
    srv.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubevip', namespace: 'kube-system' },
      data: { 'cidr-global': '192.168.2.220/30' },
    });
    const r = await sh(readme('kubectl -n kube-system get configmap kubevip -o yaml | edgelb convert'));
    expect(r.stdout).toContain('name: kubevip-global');
    expect(r.stdout).toContain('192.168.2.220/30');
  }, 30_000);

  test('deleting the token Secret revokes the node kubeconfig at once', async () => {
    await sh(readme('kubectl -n kube-system delete secret edgelb-token'));
    const r = await sh('kubectl --kubeconfig=edgelb-node.kubeconfig get services -A', true);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unauthorized');
  }, 30_000);
});
