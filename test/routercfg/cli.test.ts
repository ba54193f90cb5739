/**
 * `edgelb router-config` end to end through its shell: files mode (this host as the node,
 * --node overrides, a Secret in the folder never printed), kubernetes mode over a fake list
 * client (InternalIP picked per family, a missing BFDProfile CRD, invalid objects skipped),
 * usage errors, and the command's place in `edgelb --help`.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RouterConfigIO, runRouterConfig } from '../../agent/cli/router-config.ts';
import type { ListClient } from '../../agent/cli/router-config-inputs.ts';
import { UserError } from '../../agent/lib/errors.ts';
import { main } from '../../agent/main.ts';

const FIXTURES = join(import.meta.dir, '..', 'fixtures', 'routercfg');
const dir = mkdtempSync(join(tmpdir(), 'edgelb-rcfg-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET_VALUE = 'do-not-print-me';

function io(over: Partial<RouterConfigIO> = {}) {
  const out = { stdout: '', stderr: '' };
  const value: RouterConfigIO = {
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
    hostAddresses: () => ['fe80::1', '10.0.0.5', '192.168.2.10', 'fd00:2::10'],
    hostname: () => 'edge-box',
    kubeClient: () => Promise.reject(new Error('no cluster in this test')),
    ...over,
  };
  return { out, io: value };
}

function config(text: string): string {
  const p = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, text);
  return p;
}

describe('files mode', () => {
  const manifests = join(dir, 'manifests');
  mkdirSync(manifests, { recursive: true });
  writeFileSync(join(manifests, 'blog.yaml'), readFileSync(join(FIXTURES, 'blog', 'manifests.yaml'), 'utf8'));
  writeFileSync(
    join(manifests, 'secret.yaml'),
    `apiVersion: v1\nkind: Secret\nmetadata: {name: bgp-auth, namespace: default}\nstringData: {password: ${SECRET_VALUE}}\n`,
  );

  test('the node is this host (its name, labels and the address inside bgp.nodeAddressCIDR)', async () => {
    const c = config(
      `source: files\nnodeName: edge-1\nfiles:\n  manifests: ${manifests}\n  nodeLabels: {peering: "yes"}\nbgp:\n  nodeAddressCIDR: 192.168.2.0/24\n`,
    );
    const t = io();
    expect(await runRouterConfig(['--for', 'frr', '--config', c], t.io)).toBe(0);
    expect(t.out.stdout).toContain(' neighbor 192.168.2.10 description edgelb node edge-1');
    expect(t.out.stdout).toContain('SECRET(default/bgp-auth:password)');
    expect(t.out.stdout + t.out.stderr).not.toContain(SECRET_VALUE);
  });

  test('--node names the nodes and their addresses', async () => {
    const c = config(`source: files\nfiles:\n  manifests: ${manifests}\n  nodeLabels: {peering: "yes"}\n`);
    const t = io();
    const code = await runRouterConfig(
      ['--for', 'bird', '--config', c, '--node', 'a=192.168.2.21', '--node', 'b=192.168.2.22,fd00:2::22'],
      t.io,
    );
    expect(code).toBe(0);
    expect(t.out.stdout).toContain('protocol bgp edgelb_a {');
    expect(t.out.stdout).toContain('  neighbor 192.168.2.22 as 65001;');
  });

  test('a host outside the policy selector gets a clear error and nothing printed', async () => {
    const c = config(`source: files\nfiles:\n  manifests: ${manifests}\n`);
    const t = io();
    expect(await runRouterConfig(['--for', 'routeros', '--config', c], t.io)).toBe(1);
    expect(t.out.stdout).toBe('');
    expect(t.out.stderr).toContain('error: no node is selected by a policy that peers with this router');
  });

  test('--manifests reads a folder without a config file', async () => {
    const t = io();
    const code = await runRouterConfig(
      [
        '--for',
        'opnsense',
        '--config',
        join(dir, 'absent.yaml'),
        '--manifests',
        manifests,
        '--node',
        'x=192.168.2.30',
      ],
      t.io,
    );
    // files.nodeLabels is empty by default: the policy's peering=yes selects nobody.
    expect(code).toBe(1);
    expect(t.out.stderr).toContain('no node is selected');
  });

  test('bad flags are usage errors (exit 2)', async () => {
    await expect(runRouterConfig(['--for', 'cisco'], io().io)).rejects.toThrow(UserError);
    await expect(runRouterConfig(['--for', 'frr', '--node', 'nope'], io().io)).rejects.toThrow(
      '--node nope: expected NAME=ADDR[,ADDR6]',
    );
  });
});

describe('kubernetes mode', () => {
  const node = (name: string, labels: Record<string, string>, addrs: [string, string][]) => ({
    metadata: { name, labels },
    status: { addresses: addrs.map(([type, address]) => ({ type, address })) },
  });
  const objects: Record<string, unknown[] | 404> = {
    '/apis/edgelb.io/v1alpha1/bgppeeringpolicies': [
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'blog' },
        spec: {
          nodeSelector: { matchLabels: { peering: 'yes' } },
          virtualRouters: [
            {
              localASN: 65001,
              neighbors: [
                { peerAddress: '192.168.2.1/32', peerASN: 65000, authSecretRef: { name: 'bgp' } },
                { peerAddress: 'fd00:2::1', peerASN: 65000 },
              ],
            },
          ],
        },
      },
      { apiVersion: 'edgelb.io/v1alpha1', kind: 'BGPPeeringPolicy', metadata: { name: 'broken' }, spec: {} },
    ],
    '/apis/edgelb.io/v1alpha1/loadbalancerippools': [
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'blog' },
        spec: { blocks: [{ cidr: '172.198.1.0/30' }] },
      },
    ],
    '/apis/edgelb.io/v1alpha1/bfdprofiles': 404,
    '/api/v1/nodes': [
      node('worker', { peering: 'yes' }, [
        ['Hostname', 'worker'],
        ['ExternalIP', '203.0.113.10'],
        ['InternalIP', '192.168.2.10'],
        ['InternalIP', 'fd00:2::10'],
      ]),
      node('master', {}, [['InternalIP', '192.168.2.12']]),
    ],
  };
  const client: ListClient = {
    async request<T>(_method: string, path: string): Promise<T> {
      const v = objects[path];
      if (v === 404 || v === undefined)
        throw Object.assign(new Error(`${path}: 404 not found`), { status: 404 });
      return { items: v } as T;
    },
  };

  test("policies, pools and Nodes from the cluster; InternalIP per family; the Secret namespace is edgelb's", async () => {
    const c = config('kubernetes:\n  leaderElection: {namespace: edgelb-system}\n');
    const t = io({ kubeClient: async () => client });
    expect(await runRouterConfig(['--for', 'frr', '--config', c], t.io)).toBe(0);
    expect(t.out.stdout).toContain(' neighbor 192.168.2.10 password SECRET(edgelb-system/bgp:password)');
    expect(t.out.stdout).toContain(' neighbor fd00:2::10 remote-as 65001');
    expect(t.out.stdout).not.toContain('203.0.113.10');
    expect(t.out.stdout).not.toContain('192.168.2.12');
    expect(t.out.stderr).toContain('warning: BGPPeeringPolicy broken is invalid and skipped');
  });

  test("--node overrides a Node's address; an unknown node is an error", async () => {
    const c = config('kubernetes: {}\n');
    const t = io({ kubeClient: async () => client });
    expect(
      await runRouterConfig(['--for', 'bird', '--config', c, '--node', 'worker=10.1.1.1,fd00:9::1'], t.io),
    ).toBe(0);
    expect(t.out.stdout).toContain('  neighbor 10.1.1.1 as 65001;');
    await expect(
      runRouterConfig(
        ['--for', 'bird', '--config', c, '--node', 'ghost=10.1.1.2'],
        io({ kubeClient: async () => client }).io,
      ),
    ).rejects.toThrow('the cluster has no Node ghost');
  });
});

describe('the command line', () => {
  test('router-config is listed in the usage and answers --help', async () => {
    const writes: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => {
      writes.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    try {
      expect(await main(['--help'])).toBe(0);
      expect(await main(['router-config', '--help'])).toBe(0);
    } finally {
      process.stdout.write = orig;
    }
    expect(writes.join('')).toContain('router-config   print the router side');
    expect(writes.join('')).toContain('Usage: edgelb router-config --for frr|bird|opnsense|routeros');
  });
});
