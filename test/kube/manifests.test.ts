/**
 * `edgelb manifests`: kubectl accepts the output (client dry run), the CRDs register on the
 * test API server, and `kubectl get lbpool` / `bgppolicy` show the printer columns. The
 * schemas describe every field the TypeScript types have.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { runCli } from '../support/cli.ts';
import { kubectlPath } from '../support/kubectl.ts';

const ROOT = join(import.meta.dir, '..', '..');
const PRINT = join(ROOT, 'test', 'kube', 'support', 'print-manifests.ts');

function manifests(args: string[] = []): string {
  const r = Bun.spawnSync([process.execPath, PRINT, ...args], { stdout: 'pipe', stderr: 'pipe' });
  expect(r.exitCode).toBe(0);
  return r.stdout.toString();
}

/** Async: the test API server runs in this process, so a blocking spawn would deadlock it. */
async function kubectl(kubeconfig: string, args: string[], stdin?: string) {
  const p = Bun.spawn([kubectlPath(), '--kubeconfig', kubeconfig, ...args], {
    stdin: stdin === undefined ? 'ignore' : Buffer.from(stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, out, err };
}

function crdsOnly(yaml: string): string {
  return yaml
    .split(/^---$/m)
    .filter((d) => d.includes('kind: CustomResourceDefinition'))
    .join('---');
}

const POOL = `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata: {name: blog-pool}
spec:
  blocks: [{cidr: 172.198.1.0/30}]
  serviceSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
`;
const POLICY = `apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata: {name: blog-peering}
spec:
  nodeSelector: {matchLabels: {peering: "yes"}}
  virtualRouters:
  - localASN: 65001
    serviceSelector: {}
    neighbors: [{peerAddress: 192.168.2.1/32, peerASN: 65000}]
`;

describe('edgelb manifests', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startApiServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('prints CRDs and RBAC as YAML documents', () => {
    const docs = parseAllDocuments(manifests(['--secrets', 'bgp-auth']))
      .map((d) => d.toJS())
      .filter(Boolean);
    expect(docs.map((d) => d.kind)).toEqual([
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      // EdgeLBNode (issue 17)
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
    ]);
    const role = docs.find((d) => d.kind === 'Role');
    expect(role.rules).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['edgelb'],
      verbs: ['get', 'update', 'patch', 'watch'],
    });
    expect(role.rules).toContainEqual({
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['bgp-auth'],
      verbs: ['get'],
    });
    // no write access to Services' spec, no cluster-wide Secret access
    const cr = docs.find((d) => d.kind === 'ClusterRole');
    for (const r of cr.rules) {
      expect(r.resources).not.toContain('secrets');
      if (r.resources.includes('services')) expect(r.verbs).toEqual(['get', 'list', 'watch']);
    }
  });

  test('kubectl apply --dry-run=client accepts the CRDs (client-side OpenAPI validation on)', async () => {
    const r = await kubectl(
      server.kubeconfigCert,
      ['apply', '--dry-run=client', '-f', '-'],
      crdsOnly(manifests()),
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'customresourcedefinition.apiextensions.k8s.io/loadbalancerippools.edgelb.io created (dry run)',
    );
    expect(r.out).toContain(
      'customresourcedefinition.apiextensions.k8s.io/bgppeeringpolicies.edgelb.io created (dry run)',
    );
  });

  test('edgelb manifests | kubectl apply --dry-run=client -f - accepts every document', async () => {
    const r = await kubectl(
      server.kubeconfigCert,
      ['apply', '--dry-run=client', '-f', '-'],
      manifests(['--secrets', 'bgp-auth']),
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const kind of [
      'serviceaccount',
      'clusterrole.rbac.authorization.k8s.io',
      'clusterrolebinding.rbac.authorization.k8s.io',
      'role.rbac.authorization.k8s.io',
      'rolebinding.rbac.authorization.k8s.io',
    ]) {
      expect(r.out).toContain(`${kind}/`);
    }
  });

  test('applied to the test server, kubectl get shows the printer columns', async () => {
    const applied = await kubectl(server.kubeconfigCert, ['apply', '-f', '-'], crdsOnly(manifests()));
    expect(applied.code).toBe(0);
    await Bun.sleep(100);
    let r = await kubectl(server.kubeconfigCert, ['apply', '-f', '-'], `${POOL}---\n${POLICY}`);
    if (r.code !== 0) {
      await Bun.sleep(500); // discovery cache refresh after CRD registration
      r = await kubectl(server.kubeconfigCert, ['apply', '-f', '-'], `${POOL}---\n${POLICY}`);
    }
    expect(r.err).toBe('');
    // The Blocks column reads status.blocks, which the leader writes (CIDRs and ranges alike).
    const patched = await kubectl(server.kubeconfigCert, [
      'patch',
      'lbpool',
      'blog-pool',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"blocks":"172.198.1.0/30, 192.168.2.200-192.168.2.209"}}',
    ]);
    expect(patched.code).toBe(0);
    const pools = await kubectl(server.kubeconfigCert, ['get', 'lbpool']);
    expect(pools.code).toBe(0);
    const header = pools.out.split('\n')[0]!.split(/\s{2,}/);
    expect(header).toEqual(['NAME', 'BLOCKS', 'DISABLED', 'USED', 'AVAILABLE', 'CONFLICT', 'AGE']);
    expect(pools.out).toContain('blog-pool');
    expect(pools.out).toContain('172.198.1.0/30, 192.168.2.200-192.168.2.209');
    const policies = await kubectl(server.kubeconfigCert, ['get', 'bgppolicy']);
    expect(policies.out.split('\n')[0]!.split(/\s{2,}/)).toEqual([
      'NAME',
      'NODE SELECTOR',
      'ROUTERS',
      'VALID',
      'AGE',
    ]);
    expect(policies.out).toContain('192.168.2.1/32');
    // the schema refuses what the API cannot express
    for (const bad of [
      POOL.replace('blocks: [{cidr: 172.198.1.0/30}]', 'blocks: []'),
      POLICY.replace('peerASN: 65000', 'peerASN: 0'),
      POLICY.replace('localASN: 65001', 'localASN: 4294967296'),
      POLICY.replace('peerASN: 65000}', 'peerASN: 65000, holdTimeSeconds: 70000}'),
    ]) {
      const r = await kubectl(
        server.kubeconfigCert,
        ['apply', '-f', '-'],
        bad.replace(/name: blog-/, 'name: bad-'),
      );
      expect(r.code).not.toBe(0);
    }
  });

  test('kubectl explain describes the fields; BFD and L2 objects apply and print', async () => {
    const applied = await kubectl(server.kubeconfigCert, ['apply', '-f', '-'], crdsOnly(manifests()));
    expect(applied.code).toBe(0);
    const explain = async (what: string) => {
      let r = await kubectl(server.kubeconfigCert, ['explain', what]);
      for (let i = 0; r.code !== 0 && i < 5; i++) {
        await Bun.sleep(300); // discovery cache refresh after CRD registration
        r = await kubectl(server.kubeconfigCert, ['explain', what]);
      }
      return { ...r, out: r.out.replace(/\s+/g, ' ') }; // kubectl wraps descriptions
    };
    const hold = await explain('bgppolicy.spec.virtualRouters.neighbors.holdTimeSeconds');
    expect(hold.err).toBe('');
    expect(hold.out).toContain('0 (never) or 3..65535');
    const bfd = await explain('bfdprofile.spec');
    expect(bfd.out).toMatch(/detectMultiplier\s+<integer>/);
    expect(bfd.out).toContain('declared down');
    const l2 = await explain('l2announcementpolicy.spec.interfaces');
    expect(l2.out).toContain('Regular expressions over interface names');
    const objects = `apiVersion: edgelb.io/v1alpha1
kind: BFDProfile
metadata: {name: fast}
spec: {receiveIntervalMilliseconds: 100}
---
apiVersion: edgelb.io/v1alpha1
kind: L2AnnouncementPolicy
metadata: {name: lan}
spec: {pools: [lan], interfaces: [eth0]}
`;
    let r = await kubectl(server.kubeconfigCert, ['apply', '-f', '-'], objects);
    if (r.code !== 0) {
      await Bun.sleep(500);
      r = await kubectl(server.kubeconfigCert, ['apply', '-f', '-'], objects);
    }
    expect(r.err).toBe('');
    const got = await kubectl(server.kubeconfigCert, ['get', 'bfd']);
    expect(got.out.split('\n')[0]!.split(/\s{2,}/)).toEqual(['NAME', 'RX MS', 'TX MS', 'MULTIPLIER', 'AGE']);
    expect(got.out).toMatch(/fast\s+100/);
    const bad = await kubectl(
      server.kubeconfigCert,
      ['apply', '-f', '-'],
      objects.replace('receiveIntervalMilliseconds: 100', 'receiveIntervalMilliseconds: 5'),
    );
    expect(bad.code).not.toBe(0);
    expect((await kubectl(server.kubeconfigCert, ['get', 'l2policy'])).out).toContain('lan');
  });

  test('the schemas cover every field of the API types', () => {
    const full = {
      pool: {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'LoadBalancerIPPool',
        metadata: {},
        spec: {
          blocks: [{ cidr: 'x', start: 'x', stop: 'x' }],
          disabled: true,
          serviceSelector: {
            matchLabels: {},
            matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }],
          },
          allowFirstLastIPs: true,
          autoAssign: true,
        },
        status: {
          conditions: [
            {
              type: 't',
              status: 'True',
              reason: 'r',
              message: 'm',
              lastTransitionTime: 't',
              observedGeneration: 1,
            },
          ],
          ipsTotal: '1',
          ipsUsed: '1',
          ipsAvailable: '0',
        },
      },
      policy: {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'BGPPeeringPolicy',
        metadata: {},
        spec: {
          nodeSelector: { matchLabels: {} },
          virtualRouters: [
            {
              localASN: 1,
              serviceSelector: {},
              neighbors: [
                {
                  peerAddress: 'a',
                  peerPort: 1,
                  peerASN: 1,
                  eBGPMultihopTTL: 1,
                  connectRetryTimeSeconds: 1,
                  holdTimeSeconds: 1,
                  keepAliveTimeSeconds: 1,
                  gracefulRestart: { enabled: true, restartTimeSeconds: 1 },
                  advertisedPathAttributes: {
                    communities: { standard: ['1:1'], large: ['1:1:1'] },
                    localPreference: 1,
                  },
                  authSecretRef: { name: 'n', namespace: 'n', key: 'k' },
                },
              ],
            },
          ],
        },
        status: { conditions: [] },
      },
    };
    const missing: string[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON schema
    const walk = (v: unknown, schema: any, path: string) => {
      if (Array.isArray(v)) for (const x of v) walk(x, schema?.items, `${path}[]`);
      else if (v && typeof v === 'object') {
        if (schema?.additionalProperties || path.endsWith('.metadata') || path.endsWith('matchLabels'))
          return;
        for (const [k, x] of Object.entries(v)) {
          const sub = schema?.properties?.[k];
          if (!sub) missing.push(`${path}.${k}`);
          else walk(x, sub, `${path}.${k}`);
        }
      }
    };
    const [poolCrd, policyCrd] = customResourceDefinitions();
    walk(full.pool, poolCrd!.spec.versions[0]!.schema.openAPIV3Schema, 'pool');
    walk(full.policy, policyCrd!.spec.versions[0]!.schema.openAPIV3Schema, 'policy');
    expect(missing).toEqual([]);
  });
});

test('edgelb manifests prints no YAML anchors or aliases (each object spelled out for kubectl and reviewers)', () => {
  const r = runCli(['manifests']);
  expect(r.code).toBe(0);
  expect(r.stdout).not.toMatch(/(: |- )[&*][A-Za-z0-9]+\s*$/m);
  expect(r.stdout).toContain('kind: CustomResourceDefinition');
});
