/**
 * The whole first run, as a new user does it, in the lab: a cluster (the test API server,
 * RBAC enforced) with a Node "pi4"; `edgelb kubeconfig` with the admin's kubeconfig; the
 * installer from a loopback HTTP server into a temporary root with EDGELB_KUBECONFIG and
 * EDGELB_NODE_NAME; `edgelb doctor --online` clean; the agent Ready on its HTTP endpoint.
 * The release's binaries run this checkout (`bun agent/main.ts`). The installed config names
 * /etc/edgelb/kubeconfig as the node sees it; the test reads it below the install root, as
 * systemd would run it there.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { BUN, freePort, MAIN } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { InstallLab } from './harness.ts';

const why = missing({ root: true, tools: ['curl', 'useradd', 'sha256sum', 'xz'] });
const lab = new InstallLab();
let srv: TestApiServer;

async function run(cmd: string[], env: Record<string, string>, timeoutMs = 30_000) {
  const child = Bun.spawn(cmd, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(lab.work, 'home'), ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe.skipIf(!!why)('first run: edgelb kubeconfig, install, doctor, Ready', () => {
  beforeAll(async () => {
    lab.start();
    srv = await startApiServer({ rbac: true });
    srv.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi4' } });
  });
  afterAll(async () => {
    await srv?.stop();
    lab.stop();
  });

  test('from an empty cluster to a Ready agent', async () => {
    // 1. Where kubectl works: RBAC, CRDs and a node kubeconfig.
    const nodeKubeconfig = join(lab.work, 'edgelb-node.kubeconfig');
    const kc = await run([BUN, MAIN, 'kubeconfig', '--server', srv.url, '-o', nodeKubeconfig], {
      KUBECONFIG: srv.kubeconfigCert,
    });
    expect(kc.stderr).toContain(`wrote ${nodeKubeconfig}`);
    expect(kc.code).toBe(0);
    srv.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'lan' },
      spec: { blocks: [{ cidr: '10.77.0.0/29' }] },
    });

    // 2. On the node: the installer with the settings (the binary is this checkout).
    lab.writeRelease(() => `#!/bin/sh\nexec ${BUN} ${MAIN} "$@"\n`, { xz: true });
    lab.freshRoot({ systemd: true });
    const inst = await lab.install({ EDGELB_KUBECONFIG: nodeKubeconfig, EDGELB_NODE_NAME: 'pi4' });
    expect(inst.stderr).toContain('edgelb is running');
    expect(inst.code).toBe(0);
    expect(lab.downloads).toContain('edgelb-linux-x64.xz');
    expect(lab.systemctlCalls()).toEqual([
      'daemon-reload',
      'enable edgelb.service',
      'restart edgelb.service',
    ]);

    // The config as systemd would run it in the root; the endpoint on a free loopback port.
    const port = await freePort();
    const config = join(lab.work, 'config-in-root.yaml');
    writeFileSync(
      config,
      `${readFileSync(lab.at('etc/edgelb/config.yaml'), 'utf8').replace(
        'kubeconfig: /etc/edgelb/kubeconfig',
        `kubeconfig: ${lab.at('etc/edgelb/kubeconfig')}`,
      )}http:\n  listen: 127.0.0.1:${port}\nlog: {level: warn, format: text}\n`,
    );
    const edgelb = lab.at('usr/local/bin/edgelb');

    // 3. doctor --online: clean.
    const doc = await run([edgelb, 'doctor', '--online', '--config', config], {});
    expect(doc.stdout.trim().split('\n').at(-1)).toBe('no problems found');
    expect(doc.stdout).toContain('ok    node: Node pi4 exists');
    expect(doc.code).toBe(0);

    // 4. The agent, Ready.
    const agent = Bun.spawn([edgelb, 'run', '--config', config], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(lab.work, 'home') },
      stdout: 'ignore',
      stderr: 'pipe',
    });
    try {
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`)
          .then((r) => r.status === 200)
          .catch(() => false);
        if (!ready) await Bun.sleep(200);
      }
      expect(ready).toBe(true);
      // It is the ServiceAccount from step 1 that the agent talks as.
      expect(srv.requests.some((r) => r.user === 'system:serviceaccount:kube-system:edgelb')).toBe(true);
      expect(srv.requests.filter((r) => r.status === 403)).toEqual([]);
    } finally {
      agent.kill('SIGTERM');
      const timer = setTimeout(() => agent.kill('SIGKILL'), 10_000);
      expect(await agent.exited).toBe(0);
      clearTimeout(timer);
    }
  }, 120_000);
});
