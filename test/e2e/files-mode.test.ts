/**
 * Files mode end to end: one agent on a single edge box (no cluster) announcing to FRR.
 * Editing a manifest moves the route; restarting the agent keeps every IP (state file).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUN, MAIN, ROOT } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { type Frr, startFrr } from '../support/frr.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type Proc, waitFor } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip', '/usr/lib/frr/bgpd', 'vtysh'] });

describe.skipIf(!!why)('files mode against FRR', () => {
  let lan: Lan;
  let frr: Frr;
  let agent: Proc | undefined;
  let dir: string;
  let manifests: string;

  const start = () => {
    agent = lan.spawn('worker', [BUN, MAIN, 'run', '--config', join(dir, 'config.yaml')], {
      name: 'edgelb@worker',
      logPath: join(dir, 'agent.log'),
    });
  };
  const state = () =>
    JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      services: Record<string, { ips: string[] }>;
    };

  beforeAll(async () => {
    lan = await createLan({ family: 'e2ef', hosts: { router: TOPOLOGY.router, worker: TOPOLOGY.worker } });
    dir = join(lan.dir, 'edge');
    manifests = join(dir, 'manifests');
    mkdirSync(manifests, { recursive: true });
    cpSync(join(ROOT, 'scripts', 'demo', 'manifests', 'pool.yaml'), join(manifests, 'pool.yaml'));
    cpSync(join(ROOT, 'scripts', 'demo', 'manifests', 'services.yaml'), join(manifests, 'services.yaml'));
    writeFileSync(
      join(manifests, 'policy.yaml'),
      `apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata:
  name: opensense
spec:
  nodeSelector:
    matchLabels:
      peering: "yes"
  virtualRouters:
    - localASN: 65001
      neighbors:
        - peerASN: 65000
          peerAddress: 192.168.2.1/32
          connectRetryTimeSeconds: 1
      serviceSelector:
        matchLabels:
          app.kubernetes.io/name: ingress-nginx
`,
    );
    writeFileSync(
      join(dir, 'config.yaml'),
      `source: files
nodeName: edge
files:
  manifests: ${manifests}
  state: ${join(dir, 'state.json')}
  nodeLabels:
    peering: "yes"
bgp:
  shutdown: withdraw
http:
  listen: 127.0.0.1:9180
log:
  level: debug
`,
    );
    frr = await startFrr(lan, 'router', {
      asn: 65000,
      routerId: TOPOLOGY.router.v4,
      neighbors: [
        {
          address: TOPOLOGY.worker.v4,
          remoteAs: 65001,
          timers: { keepalive: 3, hold: 9 },
          connectRetrySeconds: 1,
        },
      ],
    });
    start();
  }, 60_000);

  afterAll(async () => {
    await agent?.stop(3000);
    await frr?.stop().catch(() => {});
    await lan?.destroy();
  }, 30_000);

  test('the blog Services are announced with the worker as next hop', async () => {
    const one = await frr.waitPaths('172.198.1.1/32', (p) => p.length === 1, 20_000);
    expect(one[0]).toMatchObject({ nextHop: TOPOLOGY.worker.v4, asPath: '65001' });
    await frr.waitPaths('172.198.1.2/32', (p) => p.length === 1, 10_000);
    expect(state().services['ingress-nginx/ingress-nginx-controller']?.ips).toEqual(['172.198.1.1']);
  }, 40_000);

  test('editing a manifest moves the route', async () => {
    const p = join(manifests, 'services.yaml');
    // Drop the second Service: its /32 goes away at the router.
    const text = readFileSync(p, 'utf8');
    writeFileSync(p, text.slice(0, text.indexOf('\n---\n') + 1));
    expect(await frr.waitPaths('172.198.1.2/32', (paths) => paths.length === 0, 10_000)).toEqual([]);
    expect((await frr.paths('172.198.1.1/32')).length).toBe(1);
    writeFileSync(p, text);
    await frr.waitPaths('172.198.1.2/32', (paths) => paths.length === 1, 10_000);
  }, 30_000);

  test('a restart keeps every IP', async () => {
    const before = state().services;
    await agent!.stop(5000);
    expect(await frr.waitPaths('172.198.1.1/32', (p) => p.length === 0, 5000)).toEqual([]);
    start();
    await frr.waitPaths('172.198.1.1/32', (p) => p.length === 1, 20_000);
    await frr.waitPaths('172.198.1.2/32', (p) => p.length === 1, 10_000);
    await waitFor('agent state', () => (Object.keys(state().services).length >= 2 ? true : undefined), {
      timeoutMs: 5000,
    });
    const after = state().services;
    for (const key of Object.keys(before)) expect(after[key]?.ips).toEqual(before[key]!.ips);
  }, 50_000);
});
