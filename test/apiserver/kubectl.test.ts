/**
 * kubectl (v1.33) against the test API server with the k3s-style client-certificate
 * kubeconfig: if the fake drifts from kube-apiserver in a way kubectl notices, this fails.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { missing } from '../support/env.ts';
import { kubectlPath } from '../support/kubectl.ts';
import { run } from '../support/proc.ts';
import { widgetCrd } from './fixtures.ts';

const why = missing({ tools: ['unzip'] });
let srv: TestApiServer;
let home: string;
let kubectl: string;

async function k(args: string[], allowFail = false) {
  return run([kubectl, '--kubeconfig', srv.kubeconfigCert, '--cache-dir', join(home, 'cache'), ...args], {
    timeoutMs: 15_000,
    allowFail,
  });
}

function file(name: string, docs: unknown[]): string {
  const p = join(home, name);
  writeFileSync(p, docs.map((d) => stringify(d)).join('---\n'));
  return p;
}

const widget = (size: number, color = 'red') => ({
  apiVersion: 'example.edgelb.io/v1',
  kind: 'Widget',
  metadata: { name: 'w1' },
  spec: { size, color },
});
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'ingress-nginx',
    namespace: 'default',
    labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
  },
  spec: {
    type: 'LoadBalancer',
    selector: { app: 'nginx' },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  },
};

describe.skipIf(!!why)('kubectl against the test API server', () => {
  beforeAll(async () => {
    kubectl = kubectlPath();
    home = mkdtempSync(join(tmpdir(), 'edgelb-kubectl-'));
    srv = await startApiServer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  test('is a current kubectl, not the distribution one', async () => {
    const r = await k(['version', '--client', '-o', 'json']);
    expect(Number(JSON.parse(r.stdout).clientVersion.minor)).toBeGreaterThanOrEqual(33);
  });

  test('every kubeconfig form works (cert data, cert files, token, token file)', async () => {
    for (const kc of [
      srv.kubeconfigCert,
      srv.kubeconfigCertFiles,
      srv.kubeconfigToken,
      srv.kubeconfigTokenFile,
    ]) {
      const r = await run([
        kubectl,
        '--kubeconfig',
        kc,
        '--cache-dir',
        join(home, 'cache'),
        'get',
        'ns',
        'default',
        '-o',
        'name',
      ]);
      expect(r.stdout.trim()).toBe('namespace/default');
    }
    const users = new Set(
      srv.requests.filter((q) => q.path.startsWith('/api/v1/namespaces/default')).map((q) => q.user),
    );
    expect([...users].sort()).toEqual(['edgelb-node', 'edgelb-token']);
  });

  test('version and discovery', async () => {
    const r = await k(['version', '-o', 'json']);
    expect(JSON.parse(r.stdout).serverVersion.gitVersion).toStartWith('v1.33');
    expect((await k(['api-resources', '--api-group=coordination.k8s.io'])).stdout).toContain('leases');
  });

  test('applies a CRD (plain apply, validation on), which becomes Established and discoverable', async () => {
    const r = await k(['apply', '-f', file('crd.yaml', [widgetCrd()])]);
    expect(r.stdout).toContain(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.edgelb.io created',
    );
    await k(['wait', '--for=condition=Established', '--timeout=5s', 'crd/widgets.example.edgelb.io']);
    expect((await k(['api-resources', '--api-group=example.edgelb.io'])).stdout).toMatch(
      /widgets\s+wdg\s+example\.edgelb\.io\/v1\s+false\s+Widget/,
    );
  });

  test('explain reads the CRD schema from OpenAPI v3', async () => {
    const r = await k(['explain', 'widget.spec']);
    expect(r.stdout).toMatch(/size\s+<integer> -required-/);
    expect(r.stdout).toMatch(/color\s+<string>/);
  });

  test('applies a custom object and a Service; get shows the printer columns', async () => {
    const r = await k(['apply', '-f', file('objs.yaml', [widget(3), service])]);
    expect(r.stdout).toContain('widget.example.edgelb.io/w1 created');
    expect(r.stdout).toContain('service/ingress-nginx created');
    const w = (await k(['get', 'wdg'])).stdout.trim().split('\n');
    expect(w[0]).toMatch(/^NAME\s+SIZE\s+COLOR\s+READY\s+AGE$/);
    expect(w[1]).toMatch(/^w1\s+3\s+red\s+\S+s$/);
    const s = (await k(['get', 'svc', 'ingress-nginx'])).stdout;
    expect(s).toMatch(/ingress-nginx\s+LoadBalancer\s+10\.43\.\d+\.\d+\s+<pending>\s+80:3\d{4}\/TCP/);
  });

  test('re-applying unchanged is a no-op; a change is "configured"', async () => {
    const rv = srv.get('example.edgelb.io/v1', 'Widget', undefined, 'w1').metadata.resourceVersion;
    expect((await k(['apply', '-f', file('objs.yaml', [widget(3), service])])).stdout).toContain(
      'widget.example.edgelb.io/w1 unchanged',
    );
    expect(srv.get('example.edgelb.io/v1', 'Widget', undefined, 'w1').metadata.resourceVersion).toBe(rv);
    expect((await k(['apply', '-f', file('objs.yaml', [widget(5), service])])).stdout).toContain(
      'widget.example.edgelb.io/w1 configured',
    );
    const w = srv.get('example.edgelb.io/v1', 'Widget', undefined, 'w1');
    expect(w.spec.size).toBe(5);
    expect(w.metadata.generation).toBe(2);
  });

  test('an object the schema rejects fails apply with the server-side reasons', async () => {
    const r = await k(
      ['apply', '-f', file('bad.yaml', [{ ...widget(0, 'green'), metadata: { name: 'bad' } }])],
      true,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.color: Unsupported value: "green"');
    expect(r.stderr).toContain('spec.size');
  });

  test('apply validates server-side (fieldValidation=Strict): an unknown field is refused', async () => {
    const typo = { ...widget(1), metadata: { name: 'typo' }, spec: { size: 1, colour: 'red' } };
    const r = await k(['apply', '-f', file('typo.yaml', [typo])], true);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('strict decoding error: unknown field "spec.colour"');
    expect(srv.requests.some((q) => q.method === 'POST' && q.path.includes('fieldValidation=Strict'))).toBe(
      true,
    );
  });

  test('get -w sees a status change made with patch --subresource=status', async () => {
    const watcher = Bun.spawn(
      [
        kubectl,
        '--kubeconfig',
        srv.kubeconfigCert,
        '--cache-dir',
        join(home, 'cache'),
        'get',
        'widgets',
        '-w',
      ],
      {
        stdout: 'pipe',
        stderr: 'pipe',
      },
    );
    try {
      const reader = watcher.stdout.getReader();
      let out = '';
      const readUntil = async (re: RegExp, ms: number) => {
        const deadline = Date.now() + ms;
        while (!re.test(out)) {
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`kubectl get -w output did not match ${re}: ${out}`);
          const chunk = await Promise.race([reader.read(), Bun.sleep(left).then(() => undefined)]);
          if (!chunk || chunk.done) continue;
          out += new TextDecoder().decode(chunk.value);
        }
      };
      await readUntil(/w1\s+5\s+red/, 8000);
      const p = await k([
        'patch',
        'widget',
        'w1',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}',
      ]);
      expect(p.stdout).toContain('widget.example.edgelb.io/w1 patched');
      await readUntil(/w1\s+5\s+red\s+True/, 8000);
    } finally {
      watcher.kill();
      await watcher.exited;
    }
    expect(srv.get('example.edgelb.io/v1', 'Widget', undefined, 'w1').metadata.generation).toBe(2);
  });

  test('patch --subresource=status gives the Service its LoadBalancer IP', async () => {
    await k([
      'patch',
      'service',
      'ingress-nginx',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"loadBalancer":{"ingress":[{"ip":"172.198.1.1","ipMode":"VIP"}]}}}',
    ]);
    expect((await k(['get', 'svc', 'ingress-nginx'])).stdout).toMatch(
      /ingress-nginx\s+LoadBalancer\s+\S+\s+172\.198\.1\.1\s/,
    );
    const j = JSON.parse((await k(['get', 'svc', 'ingress-nginx', '-o', 'json'])).stdout);
    expect(j.status.loadBalancer.ingress).toEqual([{ ip: '172.198.1.1', ipMode: 'VIP' }]);
  });

  test('describe shows an events.k8s.io/v1 Event about the Service', async () => {
    const svc = srv.get('v1', 'Service', 'default', 'ingress-nginx');
    srv.create({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'ingress-nginx.alloc', namespace: 'default' },
      eventTime: '2026-11-24T17:20:02.000001Z',
      reportingController: 'edgelb.io/controller',
      reportingInstance: 'worker',
      action: 'Allocate',
      reason: 'IPAllocated',
      type: 'Normal',
      note: 'allocated 172.198.1.1 from pool blog',
      regarding: {
        apiVersion: 'v1',
        kind: 'Service',
        namespace: 'default',
        name: 'ingress-nginx',
        uid: svc.metadata.uid,
      },
    });
    const d = (await k(['describe', 'svc', 'ingress-nginx'])).stdout;
    expect(d).toMatch(/Normal\s+IPAllocated\s+.*allocated 172\.198\.1\.1 from pool blog/);
  });

  test('server-side apply and server dry-run', async () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ssa', namespace: 'default' },
      data: { a: '1' },
    };
    expect((await k(['apply', '--server-side', '-f', file('ssa.yaml', [cm])])).stdout).toContain(
      'configmap/ssa serverside-applied',
    );
    expect(srv.get('v1', 'ConfigMap', 'default', 'ssa').data).toEqual({ a: '1' });
    const dry = { ...cm, metadata: { name: 'dry', namespace: 'default' } };
    expect((await k(['apply', '--dry-run=server', '-f', file('dry.yaml', [dry])])).stdout).toContain(
      'configmap/dry created (server dry run)',
    );
    expect(srv.get('v1', 'ConfigMap', 'default', 'dry')).toBeUndefined();
  });

  test('label selectors and delete', async () => {
    expect(
      (
        await k(['get', 'svc', '-l', 'app.kubernetes.io/name in (ingress-nginx)', '-o', 'name'])
      ).stdout.trim(),
    ).toBe('service/ingress-nginx');
    expect(
      (await k(['get', 'svc', '-l', 'app.kubernetes.io/name!=ingress-nginx', '-o', 'name'])).stdout.trim(),
    ).toBe('');
    expect((await k(['delete', 'widget', 'w1'])).stdout).toContain('widget.example.edgelb.io "w1" deleted');
    expect((await k(['delete', 'service', 'ingress-nginx'])).stdout).toContain(
      'service "ingress-nginx" deleted',
    );
    const gone = await k(['get', 'widget', 'w1'], true);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('widgets.example.edgelb.io "w1" not found');
  });
});
