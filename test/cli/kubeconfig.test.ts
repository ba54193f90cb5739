/**
 * `edgelb kubeconfig` against the test API server (RBAC enforced), with an admin kubeconfig
 * as kubectl would have: it creates the missing RBAC and CRDs, a token Secret, and a node
 * kubeconfig (0600, the cluster's CA) whose token passes `edgelb doctor --online`. Also the
 * kubeconfig search order the agent uses.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { doctor, systemDeps } from '../../agent/cli/doctor.ts';
import { resolveKubeconfigPath } from '../../agent/kube/kubeconfig.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { BUN, MAIN } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgelb-kubeconfig-cmd-'));
let srv: TestApiServer;

async function cli(args: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn([BUN, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), ...env },
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
  return { code, stdout, stderr };
}

beforeAll(async () => {
  srv = await startApiServer({ rbac: true });
  srv.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi4' } });
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('edgelb kubeconfig', () => {
  const out = join(dir, 'node.kubeconfig');

  test('creates the RBAC, CRDs and token Secret, writes a 0600 kubeconfig with the CA', async () => {
    const r = await cli(['kubeconfig', '--server', srv.url, '-o', out], { KUBECONFIG: srv.kubeconfigCert });
    expect(r.stderr).toContain('created ServiceAccount kube-system/edgelb');
    expect(r.stderr).toContain('created ClusterRoleBinding edgelb');
    expect(r.stderr).toContain('created RoleBinding kube-system/edgelb');
    expect(r.stderr).toContain('created CustomResourceDefinition loadbalancerippools.edgelb.io');
    expect(r.stderr).toContain(`wrote ${out} (ServiceAccount kube-system/edgelb, server ${srv.url})`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const kc = parse(readFileSync(out, 'utf8'));
    expect(kc.clusters[0].cluster.server).toBe(srv.url);
    expect(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(
      readFileSync(srv.caFile, 'utf8'),
    );
    const secret = srv.get('v1', 'Secret', 'kube-system', 'edgelb-token');
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(kc.users[0].user.token).toBe(Buffer.from(secret.data.token, 'base64').toString());
  });

  test('the token is the ServiceAccount and has every permission edgelb uses', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `nodeName: pi4\nkubernetes: {kubeconfig: ${out}}\n`);
    const f = await doctor(config, true, {
      ...systemDeps,
      env: {},
      home: join(dir, 'home'),
      subnets: () => [],
    });
    expect(f.filter((x) => x.level === 'error')).toEqual([]);
    expect(f.find((x) => x.subject === 'rbac')?.message).toMatch(/^all \d+ permissions/);
    expect(srv.requests.some((q) => q.user === 'system:serviceaccount:kube-system:edgelb')).toBe(true);
  });

  test('--l2-nodes lets exactly those nodes renew their heartbeat Lease', async () => {
    srv.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edgelb-l2' } });
    const r = await cli(['kubeconfig', '--namespace', 'edgelb-l2', '--l2-nodes', 'pi4,worker'], {
      KUBECONFIG: srv.kubeconfigCert,
    });
    expect(r.code).toBe(0);
    const role = srv.get('rbac.authorization.k8s.io/v1', 'Role', 'edgelb-l2', 'edgelb');
    const renew = role.rules.find(
      (x: { verbs: string[]; resourceNames?: string[] }) =>
        x.verbs.includes('update') && x.resourceNames?.[0]?.startsWith('edgelb-node-'),
    );
    expect(renew.resourceNames).toEqual(['edgelb-node-pi4', 'edgelb-node-worker']);
  });

  test('run again: creates nothing and prints the same token (stdout without -o)', async () => {
    const before = parse(readFileSync(out, 'utf8')).users[0].user.token;
    const r = await cli(['kubeconfig'], { KUBECONFIG: srv.kubeconfigCert });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('created');
    // No --server and the current one is loopback: the nodes cannot use it, say so.
    expect(r.stderr).toContain('other machines cannot reach; pass --server URL');
    expect(parse(r.stdout).users[0].user.token).toBe(before);
  });

  test('deleting the Secret revokes the token', async () => {
    const config = join(dir, 'config.yaml');
    srv.remove('v1', 'Secret', 'kube-system', 'edgelb-token');
    const f = await doctor(config, true, {
      ...systemDeps,
      env: {},
      home: join(dir, 'home'),
      subnets: () => [],
    });
    expect(f.at(-1)).toMatchObject({
      level: 'error',
      subject: 'api server',
      message: expect.stringContaining('401'),
    });
  });

  test('a kubeconfig without the rights to create RBAC fails with the reason', async () => {
    const r = await cli(['kubeconfig', '-o', join(dir, 'x')], { KUBECONFIG: srv.kubeconfigToken });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('403');
  });

  test('--server must be an https URL', async () => {
    const r = await cli(['kubeconfig', '--server', 'http://10.0.0.1:6443'], {
      KUBECONFIG: srv.kubeconfigCert,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--server must be https://HOST[:PORT]');
  });
});

describe('kubeconfig search order', () => {
  test('kubernetes.kubeconfig, $KUBECONFIG, /etc/edgelb/kubeconfig, ~/.kube/config, in-cluster', () => {
    const node = join(dir, 'etc-edgelb-kubeconfig');
    const home = join(dir, 'h');
    Bun.spawnSync(['mkdir', '-p', join(home, '.kube')]);
    writeFileSync(node, 'x');
    writeFileSync(join(home, '.kube', 'config'), 'x');
    expect(resolveKubeconfigPath({ path: '/a', env: { KUBECONFIG: '/b' }, nodePath: node, home })).toBe('/a');
    expect(resolveKubeconfigPath({ env: { KUBECONFIG: '/b' }, nodePath: node, home })).toBe('/b');
    expect(resolveKubeconfigPath({ env: {}, nodePath: node, home })).toBe(node);
    rmSync(node);
    expect(resolveKubeconfigPath({ env: {}, nodePath: node, home })).toBe(join(home, '.kube', 'config'));
    rmSync(join(home, '.kube', 'config'));
    expect(resolveKubeconfigPath({ env: {}, nodePath: node, home })).toBeUndefined();
  });
});
