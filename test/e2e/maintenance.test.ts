/**
 * Issue 20 in the lab, kubernetes mode, FRR AS 65000 peering with worker and pi4 (AS 65001),
 * both announcing 172.198.1.1/32:
 * - labelling worker node.kubernetes.io/exclude-from-external-load-balancers withdraws its path
 *   and only its path (the session stays up); cordon the same, not with withdrawWhenCordoned off;
 * - `edgelb drain` returns only after FRR has removed the path; a restart keeps it drained;
 *   `edgelb undrain` brings it back;
 * - a machine shutdown (systemd's state "stopping", injected through control.systemStateCommand)
 *   with bgp.shutdown: keep withdraws before the agent exits, so FRR loses the path before the
 *   node's link goes down; a plain restart with keep still keeps the routes (graceful restart).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUN, MAIN } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { TOPOLOGY } from '../support/netns.ts';
import { type Proc, waitFor } from '../support/proc.ts';
import { applyYaml, type Cluster, service, startCluster } from './cluster.ts';

const why = missing({ root: true, tools: ['ip', '/usr/lib/frr/bgpd', 'vtysh'] });
const VIP = '172.198.1.1/32';
const W = TOPOLOGY.worker.v4;
const P = TOPOLOGY.pi4.v4;
type Node = 'worker' | 'pi4';
type NodeJson = { metadata: { labels: Record<string, string> }; spec?: { unschedulable?: boolean } };

const OBJECTS = `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata:
  name: web
spec:
  blocks:
    - cidr: 172.198.1.0/30
---
apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata:
  name: router
spec:
  nodeSelector:
    matchLabels:
      peering: "yes"
  virtualRouters:
    - localASN: 65001
      neighbors:
        - peerASN: 65000
          peerAddress: ${TOPOLOGY.router.v4}/32
          connectRetryTimeSeconds: 1
          holdTimeSeconds: 9
          keepAliveTimeSeconds: 3
          gracefulRestart:
            enabled: true
            restartTimeSeconds: 60
      serviceSelector: {}
`;

describe.skipIf(!!why)('maintenance: exclusion, cordon, drain, withdraw before shutdown (FRR)', () => {
  let c: Cluster;
  const files = (node: Node) => {
    const dir = join(c.lan.dir, 'agents');
    return {
      config: join(dir, `${node}-m.yaml`),
      socket: join(dir, `${node}.sock`),
      drained: join(dir, `${node}-drained.json`),
      state: join(dir, `${node}-system-state`),
      log: join(dir, `${node}-m.log`),
    };
  };
  const procs = new Map<Node, Proc>();

  function start(node: Node, o: { withdrawWhenCordoned?: boolean } = {}): Proc {
    const f = files(node);
    writeFileSync(
      f.config,
      [
        `nodeName: ${node}`,
        'source: kubernetes',
        'kubernetes:',
        `  kubeconfig: ${c.api.kubeconfigCert}`,
        `  withdrawWhenCordoned: ${o.withdrawWhenCordoned ?? true}`,
        '  leaderElection: {leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1}',
        'bgp:',
        '  shutdown: keep',
        'http:',
        '  listen: 127.0.0.1:9180',
        'control:',
        `  socket: ${f.socket}`,
        `  drainedFile: ${f.drained}`,
        '  settleSeconds: 1',
        `  systemStateCommand: [cat, ${f.state}]`,
        'log: {level: debug}',
        '',
      ].join('\n'),
    );
    if (!existsSync(f.state)) writeFileSync(f.state, 'running\n');
    const p = c.lan.spawn(node, [BUN, MAIN, 'run', '--config', f.config], {
      name: `edgelb@${node}`,
      logPath: f.log,
    });
    procs.set(node, p);
    return p;
  }

  const live = async () =>
    (await c.frr.paths(VIP))
      .filter((p) => !p.stale)
      .map((p) => p.peer)
      .sort();
  const waitPeers = (peers: string[], timeoutMs = 15_000) =>
    c.frr.waitPaths(
      VIP,
      (x) =>
        JSON.stringify(
          x
            .filter((p) => !p.stale)
            .map((p) => p.peer)
            .sort(),
        ) === JSON.stringify(peers),
      timeoutMs,
    );
  const setNode = (node: Node, edit: (n: NodeJson) => void) => {
    const n = structuredClone(c.api.get('v1', 'Node', undefined, node));
    edit(n);
    c.api.update(n);
  };
  const cli = (node: Node, args: string[]) =>
    c.lan.exec(node, [BUN, MAIN, ...args, '--config', files(node).config], {
      allowFail: true,
      timeoutMs: 30_000,
    });
  const maintenance = async (node: Node) => {
    const r = await c.lan.exec(node, [BUN, MAIN, 'status', '--json', '--url', 'http://127.0.0.1:9180'], {
      allowFail: true,
    });
    return (JSON.parse(r.stdout) as { maintenance?: { state: string; drained: boolean } }).maintenance;
  };

  beforeAll(async () => {
    c = await startCluster('e2em', { logLevel: 'debug' });
    applyYaml(c.api, OBJECTS);
    c.api.create(service('web', { annotations: { 'io.cilium/lb-ipam-ips': '172.198.1.1' } }));
    start('worker');
    start('pi4');
    await waitPeers([W, P], 40_000);
  }, 90_000);

  afterAll(async () => {
    for (const p of procs.values()) await p.stop(3000);
    await c?.destroy();
  }, 30_000);

  test('the exclusion label withdraws this node’s path and only it; the session stays up', async () => {
    setNode('worker', (n) => {
      n.metadata.labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
    });
    await waitPeers([P]);
    expect((await c.frr.neighbor(W))?.state).toBe('Established');
    expect(await maintenance('worker')).toMatchObject({ state: 'excluded', drained: false });
    expect(await maintenance('pi4')).toMatchObject({ state: 'active' });
    setNode('worker', (n) => {
      delete n.metadata.labels['node.kubernetes.io/exclude-from-external-load-balancers'];
    });
    await waitPeers([W, P]);
  }, 40_000);

  test('cordon withdraws; with kubernetes.withdrawWhenCordoned: false it does not', async () => {
    setNode('worker', (n) => {
      n.spec = { ...(n.spec ?? {}), unschedulable: true };
    });
    await waitPeers([P]);
    expect(await maintenance('worker')).toMatchObject({ state: 'cordoned' });
    await procs.get('worker')!.stop(5000);
    start('worker', { withdrawWhenCordoned: false });
    await waitPeers([W, P], 30_000);
    expect(await maintenance('worker')).toMatchObject({ state: 'active' });
    setNode('worker', (n) => {
      n.spec = { ...(n.spec ?? {}), unschedulable: false };
    });
    await procs.get('worker')!.stop(5000);
    start('worker');
    await waitPeers([W, P], 30_000);
  }, 90_000);

  test('edgelb drain returns after FRR removed the path; a restart keeps it drained; undrain brings it back', async () => {
    await c.frr.waitState(W, 'Established', 20_000);
    const t0 = performance.now();
    const r = await cli('worker', ['drain']);
    const tookMs = Math.round(performance.now() - t0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // No waiting: when drain returns, FRR has already removed the path.
    expect(await live()).toEqual([P]);
    expect((await c.frr.neighbor(W))?.state).toBe('Established');
    expect(r.stdout).toMatch(
      /^drained: every session acknowledged the withdrawals in \d+ ms, then 1 s settle/,
    );
    console.log(`edgelb drain took ${tookMs} ms (CLI start included): ${r.stdout.trim()}`);
    const text = await c.lan.exec('worker', [BUN, MAIN, 'status', '--url', 'http://127.0.0.1:9180'], {
      allowFail: true,
    });
    expect(text.stdout).toContain('State:    drained: announcing nothing (NodeDrained)');
    expect(JSON.parse(readFileSync(files('worker').drained, 'utf8'))).toMatchObject({ drained: true });
    const metrics = await c.lan.exec('worker', ['curl', '-s', 'http://127.0.0.1:9180/metrics'], {
      allowFail: true,
    });
    expect(metrics.stdout).toContain('edgelb_node_withheld{reason="NodeDrained"} 1');
    expect(metrics.stdout).toContain('edgelb_node_withheld{reason="NodeExcluded"} 0');

    // restart the agent: still drained, and FRR never sees the path meanwhile
    await procs.get('worker')!.stop(5000);
    const before = (await c.frr.neighbor(W))?.connectionsEstablished ?? 0;
    start('worker');
    const seen = new Set<string>();
    await waitFor(
      'worker session back',
      async () => {
        for (const p of await live()) seen.add(p);
        return ((await c.frr.neighbor(W))?.connectionsEstablished ?? 0) > before || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    for (let i = 0; i < 30; i++) {
      for (const p of await live()) seen.add(p);
      await Bun.sleep(100);
    }
    expect([...seen]).toEqual([P]);
    expect(await maintenance('worker')).toMatchObject({ state: 'drained', drained: true });

    const u = await cli('worker', ['undrain']);
    expect(u).toMatchObject({ code: 0 });
    expect(u.stdout).toBe('undrained: announcing again\n');
    await waitPeers([W, P]);
    expect(await maintenance('worker')).toMatchObject({ state: 'active', drained: false });
  }, 90_000);

  test('machine shutdown with bgp.shutdown keep: FRR loses the path before the agent exits and the link goes down', async () => {
    await waitPeers([W, P]);
    writeFileSync(files('worker').state, 'stopping\n');
    const p = procs.get('worker')!;
    const t0 = performance.now();
    let withdrawnAt: number | undefined;
    let exitedAt: number | undefined;
    void p.exited.then(() => {
      exitedAt = performance.now() - t0;
    });
    p.signal('SIGTERM');
    for (let i = 0; i < 400 && exitedAt === undefined; i++) {
      // gone, not stale: a keep-mode close would leave a stale path (graceful restart)
      if (withdrawnAt === undefined && !(await c.frr.paths(VIP)).some((x) => x.peer === W))
        withdrawnAt = performance.now() - t0;
      await Bun.sleep(25);
    }
    await p.exited;
    // the network goes down only now, after the agent has stopped (as systemd orders it)
    await c.lan.exec('worker', ['ip', 'link', 'set', 'eth0', 'down']);
    console.log(
      `shutdown: path gone at ${withdrawnAt?.toFixed(0)} ms, agent exited at ${exitedAt?.toFixed(0)} ms`,
    );
    expect(withdrawnAt).toBeDefined();
    expect(withdrawnAt!).toBeLessThan(exitedAt!);
    expect((await c.frr.paths(VIP)).map((x) => x.peer)).toEqual([P]);
    expect(p.log()).toContain('system is shutting down: withdrawing every announcement');
    await c.lan.exec('worker', ['ip', 'link', 'set', 'eth0', 'up']);
    writeFileSync(files('worker').state, 'running\n');
    start('worker');
    await waitPeers([W, P], 30_000);
  }, 60_000);

  test('a plain restart with bgp.shutdown keep keeps the routes (graceful restart)', async () => {
    const p = procs.get('worker')!;
    await p.stop(5000);
    const kept = await c.frr.paths(VIP);
    expect(kept.find((x) => x.peer === W)).toMatchObject({ stale: true });
    start('worker');
    await waitPeers([W, P], 30_000);
  }, 60_000);
});
