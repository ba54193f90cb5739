/**
 * `edgelb doctor`: each finding offline (config, kubeconfig, files-mode manifests, pools) and
 * online against the test API server (credentials, RBAC by SelfSubjectAccessReview, the Node,
 * the CRDs, pools, TCP to each peer on loopback). In-process with the node's subnets injected;
 * the command line (one line per finding, exit codes) through the CLI.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DoctorDeps, doctor, systemDeps } from '../../agent/cli/doctor.ts';
import type { Finding } from '../../agent/doctor/findings.ts';
import { customResourceDefinitions, rbac } from '../../agent/kube/manifests.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { BUN, MAIN, runCli } from '../support/cli.ts';

const SA = 'system:serviceaccount:kube-system:edgelb';
const dir = mkdtempSync(join(tmpdir(), 'edgelb-doctor-'));
let n = 0;
let subnets: string[] = [];
const deps: DoctorDeps = {
  ...systemDeps,
  subnets: () => subnets,
  hostname: () => 'pi4',
  env: {},
  home: join(dir, 'home'),
  nodeKubeconfig: join(dir, 'no-node-kubeconfig'),
};

function file(name: string, text: string): string {
  const p = join(dir, `${++n}-${name}`);
  writeFileSync(p, text);
  return p;
}

function manifests(docs: string[]): string {
  const d = join(dir, `manifests-${++n}`);
  mkdirSync(d);
  for (const [i, t] of docs.entries()) writeFileSync(join(d, `${i}.yaml`), t);
  return d;
}

const lines = (fs: Finding[]) => fs.map((f) => `${f.level} ${f.subject}`);
const POOL = (name: string, cidr: string) =>
  `apiVersion: edgelb.io/v1alpha1\nkind: LoadBalancerIPPool\nmetadata: {name: ${name}}\nspec:\n  blocks: [{cidr: ${cidr}}]\n`;
const L2 = (pools: string) =>
  `apiVersion: edgelb.io/v1alpha1\nkind: L2AnnouncementPolicy\nmetadata: {name: l2}\nspec: {pools: [${pools}]}\n`;
const PEERING = (port: number) =>
  `apiVersion: edgelb.io/v1alpha1\nkind: BGPPeeringPolicy\nmetadata: {name: up}\nspec:\n  virtualRouters:\n    - localASN: 65001\n      neighbors: [{peerAddress: 127.0.0.1, peerASN: 65000, peerPort: ${port}}]\n`;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI without blocking this process (the test API server answers from it). */
async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  const child = Bun.spawn([BUN, MAIN, ...args], {
    env: { ...process.env, KUBECONFIG: '', HOME: join(dir, 'home') },
    stdout: 'pipe',
    stderr: 'ignore',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  clearTimeout(timer);
  return { code, stdout };
}

describe('doctor offline', () => {
  test('a mistyped config key is an error with its field path; the CLI exits 1, one line each', () => {
    const cfg = file('config.yaml', 'sourse: files\n');
    const r = runCli(['doctor', '--config', cfg]);
    expect(r.code).toBe(1);
    const out = r.stdout.trim().split('\n');
    expect(out[0]).toMatch(/^error config: .*sourse.*source/);
    expect(out.at(-1)).toBe('1 problem, 0 warnings');
  });

  test('a kubeconfig path that does not exist is an error', async () => {
    const cfg = file('config.yaml', `kubernetes: {kubeconfig: ${join(dir, 'kubeconfg')}}\n`);
    const f = await doctor(cfg, false, deps);
    expect(lines(f)).toEqual(['ok config', 'ok node name', 'error kubeconfig']);
    expect(f[2]!.message).toContain('kubeconfg: cannot read');
  });

  test('no kubeconfig anywhere: an error that says how to get one', async () => {
    const f = await doctor(file('config.yaml', 'nodeName: pi4\n'), false, deps);
    expect(f.at(-1)!.level).toBe('error');
    expect(f.at(-1)!.message).toContain('none found');
    expect(f.at(-1)!.message).toContain('edgelb kubeconfig');
  });

  test('the node kubeconfig (/etc/edgelb/kubeconfig) is found without naming it', async () => {
    const srv = await startApiServer();
    try {
      const f = await doctor(file('config.yaml', 'nodeName: pi4\n'), false, {
        ...deps,
        nodeKubeconfig: srv.kubeconfigToken,
      });
      expect(f.at(-1)).toEqual({
        level: 'ok',
        subject: 'kubeconfig',
        message: `${srv.kubeconfigToken} (server ${srv.url})`,
      });
    } finally {
      await srv.stop();
    }
  });

  test('files mode: invalid and Cilium manifests are errors', async () => {
    const d = manifests([
      POOL('bad', '10.0.0.1/24'),
      'apiVersion: cilium.io/v2alpha1\nkind: CiliumLoadBalancerIPPool\nmetadata: {name: c}\n',
    ]);
    const f = await doctor(file('config.yaml', `source: files\nfiles: {manifests: ${d}}\n`), false, deps);
    const errors = f.filter((x) => x.level === 'error');
    expect(errors.map((x) => x.subject)).toEqual(['manifests', 'manifests']);
    expect(errors[0]!.message).toContain('host bits');
    expect(errors[1]!.message).toContain('edgelb convert');
  });

  test('files mode: a missing manifests directory is an error', async () => {
    const f = await doctor(
      file('config.yaml', `source: files\nfiles: {manifests: ${join(dir, 'nope')}}\n`),
      false,
      deps,
    );
    expect(lines(f)).toContain('error manifests');
  });

  test('pools: public space warns, own subnet warns without L2 and is fine with it; exit 0', async () => {
    subnets = ['192.168.2.7/24'];
    const d = manifests([POOL('blog', '172.198.1.0/30'), POOL('lan', '192.168.2.240/28')]);
    const cfg = file('config.yaml', `source: files\nfiles: {manifests: ${d}}\n`);
    const f = await doctor(cfg, false, deps);
    expect(lines(f)).toEqual([
      'ok config',
      'ok node name',
      'ok manifests',
      'warn pool blog',
      'warn pool lan',
    ]);
    expect(f[3]!.message).toContain('172.198.1.0/30 is public address space');
    expect(f[4]!.message).toContain("overlaps this node's subnet 192.168.2.0/24");

    writeFileSync(join(d, 'l2.yaml'), L2('lan'));
    const g = await doctor(cfg, false, deps);
    expect(lines(g).at(-1)).toBe('ok pool lan');
    subnets = [];
  });

  test('the CLI exits 0 with warnings only', () => {
    const d = manifests([POOL('blog', '172.198.1.0/30')]);
    const r = runCli([
      'doctor',
      '--config',
      file('config.yaml', `source: files\nfiles: {manifests: ${d}}\n`),
    ]);
    expect(r.stdout).toContain('warn  pool blog: 172.198.1.0/30 is public address space');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('no problems found (1 warning)');
    expect(r.code).toBe(0);
  });
});

describe('doctor --online', () => {
  let srv: TestApiServer;
  let peer: { port: number; stop(closeActive?: boolean): void };
  let closedPort = 0;
  const kube = () => file('config.yaml', `nodeName: pi4\nkubernetes: {kubeconfig: ${srv.kubeconfigToken}}\n`);

  beforeAll(async () => {
    srv = await startApiServer({ rbac: true, tokenUser: SA });
    for (const m of [
      ...customResourceDefinitions(),
      ...rbac({ namespace: 'kube-system', leaseName: 'edgelb' }),
    ])
      srv.create(m);
    srv.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi4', labels: { peering: 'yes' } } });
    peer = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { open: (s) => void s.end(), data() {} } });
    const closed = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
    closedPort = closed.port;
    closed.stop(true);
  });
  afterAll(async () => {
    peer.stop(true);
    await srv.stop();
  });

  test('everything in place: clean, exit 0', async () => {
    srv.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'lan' },
      spec: { blocks: [{ cidr: '10.77.0.0/29' }] },
    });
    const r = await cli(['doctor', '--online', '--config', kube()]);
    expect(r.stdout).toMatch(/^ok {4}api server: https:\/\/127\.0\.0\.1:\d+ answers/m);
    expect(r.stdout).toMatch(/^ok {4}rbac: all \d+ permissions edgelb uses are granted$/m);
    expect(r.stdout).toContain('ok    node: Node pi4 exists');
    expect(r.stdout).toContain('ok    pool lan: 10.77.0.0/29');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('no problems found');
    expect(r.code).toBe(0);
  });

  test('peers: one that accepts TCP is ok, one that does not is an error', async () => {
    const policy = (name: string, port: number) =>
      srv.create({
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'BGPPeeringPolicy',
        metadata: { name },
        spec: {
          nodeSelector: { matchLabels: { peering: 'yes' } },
          virtualRouters: [
            { localASN: 65001, neighbors: [{ peerAddress: '127.0.0.1', peerASN: 65000, peerPort: port }] },
          ],
        },
      });
    policy('up', peer.port);
    policy('down', closedPort);
    try {
      const f = await doctor(kube(), true, deps);
      expect(f.filter((x) => x.level === 'error').map((x) => x.subject)).toEqual([
        `peer 127.0.0.1:${closedPort}`,
      ]);
      expect(f.find((x) => x.subject === `peer 127.0.0.1:${peer.port}`)?.message).toBe(
        'accepts TCP (policy up)',
      );
      const down = f.find((x) => x.subject === `peer 127.0.0.1:${closedPort}`);
      expect(down?.message).toMatch(/refused|ECONNREFUSED/i);
    } finally {
      srv.remove('edgelb.io/v1alpha1', 'BGPPeeringPolicy', undefined, 'up');
      srv.remove('edgelb.io/v1alpha1', 'BGPPeeringPolicy', undefined, 'down');
    }
  });

  test('files mode --online checks the peers its manifests name', async () => {
    const d = manifests([PEERING(closedPort)]);
    const f = await doctor(file('config.yaml', `source: files\nfiles: {manifests: ${d}}\n`), true, deps);
    expect(lines(f)).toContain(`error peer 127.0.0.1:${closedPort}`);
  });

  test('a public pool in the cluster warns', async () => {
    srv.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'blog' },
      spec: { blocks: [{ cidr: '172.198.1.0/30' }] },
    });
    try {
      const f = await doctor(kube(), true, deps);
      expect(lines(f)).toContain('warn pool blog');
    } finally {
      srv.remove('edgelb.io/v1alpha1', 'LoadBalancerIPPool', undefined, 'blog');
    }
  });

  test('RBAC missing the Role: each denied permission is named', async () => {
    const binding = srv.get('rbac.authorization.k8s.io/v1', 'RoleBinding', 'kube-system', 'edgelb');
    srv.remove('rbac.authorization.k8s.io/v1', 'RoleBinding', 'kube-system', 'edgelb');
    try {
      const f = await doctor(kube(), true, deps);
      const r = f.find((x) => x.subject === 'rbac')!;
      expect(r.level).toBe('error');
      expect(r.message).toContain('create leases.coordination.k8s.io in kube-system');
      expect(r.message).toContain('update leases.coordination.k8s.io edgelb in kube-system');
      expect(r.message).not.toContain('list services');
    } finally {
      srv.create({ ...binding, metadata: { name: 'edgelb', namespace: 'kube-system' } });
    }
  });

  test('no Node of that name is an error', async () => {
    const f = await doctor(
      file('config.yaml', `nodeName: pi5\nkubernetes: {kubeconfig: ${srv.kubeconfigToken}}\n`),
      true,
      deps,
    );
    expect(f.find((x) => x.subject === 'node')).toMatchObject({
      level: 'error',
      message: expect.stringContaining('no Node named "pi5"'),
    });
  });

  test('CRDs not installed is an error', async () => {
    const other = await startApiServer({ tokenUser: SA });
    try {
      const f = await doctor(
        file('config.yaml', `nodeName: pi4\nkubernetes: {kubeconfig: ${other.kubeconfigToken}}\n`),
        true,
        deps,
      );
      expect(f.filter((x) => x.subject === 'crds').map((x) => x.level)).toEqual(['error', 'error', 'error']);
      expect(f.find((x) => x.subject === 'crds')!.message).toContain('edgelb manifests | kubectl apply -f -');
    } finally {
      await other.stop();
    }
  });

  test('a rejected token and an unreachable server are errors', async () => {
    const bad = file('kubeconfig', (await Bun.file(srv.kubeconfigToken).text()).replace(srv.token, 'wrong'));
    const f = await doctor(file('config.yaml', `kubernetes: {kubeconfig: ${bad}}\n`), true, deps);
    expect(f.at(-1)).toMatchObject({
      level: 'error',
      subject: 'api server',
      message: expect.stringContaining('401'),
    });

    const gone = file(
      'kubeconfig',
      (await Bun.file(srv.kubeconfigToken).text()).replace(srv.url, `https://127.0.0.1:${closedPort}`),
    );
    const g = await doctor(file('config.yaml', `kubernetes: {kubeconfig: ${gone}}\n`), true, deps);
    expect(g.at(-1)).toMatchObject({ level: 'error', subject: 'api server' });
  });
});
