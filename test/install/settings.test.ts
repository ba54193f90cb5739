/**
 * install.sh settings and downloads: EDGELB_KUBECONFIG / EDGELB_NODE_NAME / EDGELB_SOURCE write
 * a working config; without a kubeconfig no service is enabled or started and the one next
 * step is printed; the .xz binary where xz exists, the plain one where it does not, each
 * verified against SHA256SUMS. Stand-in binaries; the machine's accounts are never touched.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missing } from '../support/env.ts';
import { InstallLab, standIn } from './harness.ts';

const why = missing({ root: true, tools: ['curl', 'useradd', 'sha256sum', 'xz'] });
const lab = new InstallLab();
const kubeconfig = join(lab.work, 'node.kubeconfig');
const KUBECONFIG_TEXT =
  'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]\n';
const config = () => readFileSync(lab.at('etc/edgelb/config.yaml'), 'utf8');
const active = (text: string) => text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));

describe.skipIf(!!why)('install.sh settings', () => {
  beforeAll(() => {
    lab.start();
    writeFileSync(kubeconfig, KUBECONFIG_TEXT);
  });
  afterAll(() => lab.stop());

  test('without a kubeconfig: nothing enabled or started, the one next step printed', async () => {
    lab.writeRelease(standIn('1.0.0'));
    lab.freshRoot({ systemd: true });
    const r = await lab.install();
    expect(r.code).toBe(0);
    expect(lab.systemctlCalls()).toEqual(['daemon-reload']);
    expect(r.stderr).toContain('not started: this node has no kubeconfig. Next step:');
    expect(r.stderr).toContain(
      'edgelb kubeconfig --server https://<api-server>:6443 -o edgelb-node.kubeconfig',
    );
    expect(r.stderr).toContain('EDGELB_KUBECONFIG=/path/to/edgelb-node.kubeconfig');
    expect(r.stderr).not.toContain('did not start');
    expect(existsSync(lab.at('usr/local/bin/edgelb'))).toBe(true);
  });

  test('then with EDGELB_KUBECONFIG: installed 0640 root:edgelb and the service started', async () => {
    // The first run's commented config is kept; the node kubeconfig is what was missing.
    const r = await lab.install({ EDGELB_KUBECONFIG: kubeconfig });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`installed ${kubeconfig} as /etc/edgelb/kubeconfig.`);
    expect(readFileSync(lab.at('etc/edgelb/kubeconfig'), 'utf8')).toBe(KUBECONFIG_TEXT);
    const st = statSync(lab.at('etc/edgelb/kubeconfig'));
    const gid = Number(readFileSync(lab.at('etc/group'), 'utf8').match(/^edgelb:x:(\d+):/m)?.[1]);
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o640, 0, gid]);
    expect(lab.systemctlCalls()).toEqual([
      'daemon-reload',
      'daemon-reload',
      'enable edgelb.service',
      'restart edgelb.service',
    ]);
  });

  test('a new config from the settings: nodeName, source and the kubeconfig path', async () => {
    lab.freshRoot({ systemd: true });
    const r = await lab.install({ EDGELB_KUBECONFIG: kubeconfig, EDGELB_NODE_NAME: 'pi4' });
    expect(r.code).toBe(0);
    expect(active(config())).toEqual([
      'nodeName: pi4',
      'source: kubernetes',
      'kubernetes:',
      '  kubeconfig: /etc/edgelb/kubeconfig',
    ]);
    expect(lab.systemctlCalls()).toContain('restart edgelb.service');
  });

  test('EDGELB_SOURCE=files: files-mode config and manifests.d, started without a cluster', async () => {
    lab.freshRoot({ systemd: true });
    const r = await lab.install({ EDGELB_SOURCE: 'files' });
    expect(r.code).toBe(0);
    expect(active(config())).toEqual(['source: files', 'files:', '  manifests: /etc/edgelb/manifests.d']);
    expect(statSync(lab.at('etc/edgelb/manifests.d')).mode & 0o777).toBe(0o750);
    expect(lab.systemctlCalls()).toContain('restart edgelb.service');
  });

  test('an existing config is never touched by the settings', async () => {
    lab.freshRoot({ systemd: true });
    expect((await lab.install({ EDGELB_SOURCE: 'files' })).code).toBe(0);
    const before = config();
    const r = await lab.install({ EDGELB_NODE_NAME: 'other' });
    expect(r.code).toBe(0);
    expect(config()).toBe(before);
    expect(r.stderr).toContain('apply to a new config only');
  });

  test('bad settings are refused before anything is installed', async () => {
    lab.freshRoot();
    for (const [env, msg] of [
      [{ EDGELB_SOURCE: 'file' }, 'EDGELB_SOURCE must be "kubernetes" or "files"'],
      [{ EDGELB_NODE_NAME: 'Pi_4' }, 'EDGELB_NODE_NAME must be a Kubernetes node name'],
      [{ EDGELB_KUBECONFIG: join(lab.work, 'nope') }, 'is not a readable file'],
      [{ EDGELB_KUBECONFIG: join(lab.work, 'cpuinfo-avx2') }, 'does not look like a kubeconfig'],
    ] as const) {
      const r = await lab.install(env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(msg);
      expect(existsSync(lab.at('usr/local/bin/edgelb'))).toBe(false);
    }
  });
});

describe.skipIf(!!why)('install.sh downloads', () => {
  const lab = new InstallLab();
  beforeAll(() => lab.start());
  afterAll(() => lab.stop());

  test('with xz: the .xz binary, verified, decompressed', async () => {
    lab.writeRelease(standIn('1.0.0'), { xz: true });
    lab.freshRoot();
    const r = await lab.install();
    expect(r.code).toBe(0);
    expect(lab.downloads).toContain('edgelb-linux-x64.xz');
    expect(lab.downloads).not.toContain('edgelb-linux-x64');
    expect(readFileSync(lab.at('usr/local/bin/edgelb'), 'utf8')).toBe(
      readFileSync(join(lab.release, 'edgelb-linux-x64'), 'utf8'),
    );
    expect(statSync(lab.at('usr/local/bin/edgelb')).mode & 0o777).toBe(0o755);
  });

  test('without xz on PATH: the plain binary', async () => {
    lab.writeRelease(standIn('1.0.0'), { xz: true });
    lab.freshRoot();
    const r = await lab.install({}, lab.pathWithout('xz'));
    expect(r.code).toBe(0);
    expect(lab.downloads).toContain('edgelb-linux-x64');
    expect(lab.downloads).not.toContain('edgelb-linux-x64.xz');
    expect(readFileSync(lab.at('usr/local/bin/edgelb'), 'utf8')).toContain('edgelb 1.0.0');
  });

  test('a release without .xz files: the plain binary even with xz', async () => {
    lab.writeRelease(standIn('1.0.0'));
    lab.freshRoot();
    expect((await lab.install()).code).toBe(0);
    expect(lab.downloads).toContain('edgelb-linux-x64');
  });

  test('a tampered .xz is refused and nothing is installed', async () => {
    lab.writeRelease(standIn('1.0.0'), { xz: true, tamper: 'edgelb-linux-x64.xz' });
    lab.freshRoot();
    const r = await lab.install();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/checksum mismatch for edgelb-linux-x64\.xz .*nothing was installed\.\n$/);
    expect(existsSync(lab.at('usr/local/bin/edgelb'))).toBe(false);
    expect(existsSync(lab.at('etc/edgelb'))).toBe(false);
  });
});
