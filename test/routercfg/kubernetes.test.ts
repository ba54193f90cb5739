/**
 * `edgelb router-config` in kubernetes mode as a user runs it: the CLI process, a kubeconfig
 * with a client certificate, the TLS test API server with edgelb's CRDs, Nodes with their
 * InternalIPs, and a Secret it must not read (no GET of secrets is ever made).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { BUN, MAIN } from '../support/cli.ts';
import { run } from '../support/proc.ts';

const SECRET = 'kube-md5-never-printed';
/** The CLI as its own process; asynchronous, so this process's API server keeps answering. */
const cli = (args: string[]) => run([BUN, MAIN, ...args], { allowFail: true, timeoutMs: 20_000 });

describe('router-config against the cluster (TLS, client certificate)', () => {
  let srv: TestApiServer;
  let config: string;

  beforeAll(async () => {
    srv = await startApiServer();
    for (const crd of customResourceDefinitions()) srv.create(crd);
    const node = (name: string, labels: Record<string, string>, v4: string, v6: string) =>
      srv.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels },
        status: {
          addresses: [
            { type: 'Hostname', address: name },
            { type: 'InternalIP', address: v4 },
            { type: 'InternalIP', address: v6 },
          ],
        },
      });
    node('worker', { peering: 'yes' }, '192.168.2.10', 'fd00:2::10');
    node('pi4', { peering: 'yes' }, '192.168.2.11', 'fd00:2::11');
    node('master', {}, '192.168.2.12', 'fd00:2::12');
    srv.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bgp-auth', namespace: 'kube-system' },
      stringData: { password: SECRET },
    });
    srv.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'blog' },
      spec: { blocks: [{ cidr: '172.198.1.0/30' }] },
    });
    srv.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BFDProfile',
      metadata: { name: 'fast' },
      spec: { receiveIntervalMilliseconds: 100, transmitIntervalMilliseconds: 100 },
    });
    srv.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BGPPeeringPolicy',
      metadata: { name: 'blog' },
      spec: {
        nodeSelector: { matchLabels: { peering: 'yes' } },
        virtualRouters: [
          {
            localASN: 65001,
            serviceSelector: {},
            neighbors: [
              {
                peerAddress: '192.168.2.1/32',
                peerASN: 65000,
                authSecretRef: { name: 'bgp-auth' },
                bfdProfile: 'fast',
              },
            ],
          },
        ],
      },
    });
    config = join(srv.dir, 'edgelb-config.yaml');
    writeFileSync(config, `kubernetes:\n  kubeconfig: ${srv.kubeconfigCert}\n`);
  }, 30_000);

  afterAll(async () => {
    await srv?.stop();
  });

  test('FRR config for the selected Nodes, BFD from the cluster profile, no Secret read', async () => {
    const r = await cli(['router-config', '--for', 'frr', '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(' neighbor 192.168.2.10 description edgelb node worker');
    expect(r.stdout).toContain(' neighbor 192.168.2.11 password SECRET(kube-system/bgp-auth:password)');
    expect(r.stdout).toContain('  receive-interval 100\n  transmit-interval 100');
    expect(r.stdout).not.toContain('192.168.2.12');
    expect(r.stdout).not.toContain(SECRET);
    expect(srv.requests.some((q) => q.path.startsWith('/api/v1/nodes'))).toBe(true);
    expect(srv.requests.filter((q) => q.path.includes('/secrets'))).toEqual([]);
  }, 20_000);

  test('OPNsense refuses the fast profile its GUI cannot set (exit 1, nothing printed)', async () => {
    const r = await cli(['router-config', '--for', 'opnsense', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('BFDProfile fast');
  }, 20_000);
});
