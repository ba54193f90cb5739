/**
 * The installed configuration is not world-readable: scripts/install.sh into a temporary
 * install root (EDGELB_ROOT), run with a permissive caller umask (000) to prove it sets
 * modes itself. Also: the systemd unit gives the agent a private umask and directories.
 * (test/install covers the installer in full; this pins only the exposure facts.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';
import { missing } from '../support/env.ts';

const why = missing({ root: true, tools: ['curl', 'useradd', 'sha256sum', 'setpriv'] });

describe.skipIf(!!why)('installed files are not world-readable', () => {
  const work = mkdtempSync(join(tmpdir(), 'edgelb-sec-install-'));
  const release = join(work, 'release');
  const root = join(work, 'root');
  const shims = join(work, 'shims');
  let server: ReturnType<typeof Bun.serve> | undefined;

  beforeAll(() => {
    mkdirSync(release, { recursive: true });
    mkdirSync(shims, { recursive: true });
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\n');
    writeFileSync(join(root, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o600 });
    writeFileSync(join(root, 'etc', 'gshadow'), 'root:*::\n', { mode: 0o600 });
    writeFileSync(join(shims, 'systemctl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(join(work, 'cpuinfo'), 'processor\t: 0\nflags\t\t: fpu sse4_2 avx avx2 bmi2\n');
    const files: string[] = [];
    for (const t of ['linux-x64', 'linux-x64-baseline', 'linux-arm64']) {
      writeFileSync(join(release, `edgelb-${t}`), `#!/bin/sh\necho "edgelb 9.9.9 (commit test, ${t})"\n`);
      files.push(`edgelb-${t}`);
    }
    for (const [src, name] of [
      ['scripts/install.sh', 'install.sh'],
      ['scripts/edgelb-uninstall.sh', 'edgelb-uninstall.sh'],
      ['systemd/edgelb.service', 'edgelb.service'],
    ] as const) {
      copyFileSync(join(ROOT, src), join(release, name));
      files.push(name);
    }
    const sum = (f: string) =>
      createHash('sha256')
        .update(readFileSync(join(release, f)))
        .digest('hex');
    writeFileSync(join(release, 'SHA256SUMS'), `${files.map((f) => `${sum(f)}  ${f}`).join('\n')}\n`);
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req) {
        const name = new URL(req.url).pathname.slice(1);
        if (name.includes('/') || !files.concat('SHA256SUMS').includes(name))
          return new Response('not found', { status: 404 });
        return new Response(Bun.file(join(release, name)));
      },
    });
  });

  afterAll(() => {
    server?.stop(true);
    rmSync(work, { recursive: true, force: true });
  });

  async function install(): Promise<{ code: number; stderr: string }> {
    const child = Bun.spawn(['sh', '-c', `umask 000; curl -sfL ${server!.url}install.sh | sh -`], {
      cwd: work,
      env: {
        PATH: `${shims}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        HOME: work,
        EDGELB_ROOT: root,
        EDGELB_DOWNLOAD_URL: server!.url.toString(),
        EDGELB_CPUINFO: join(work, 'cpuinfo'),
        EDGELB_SKIP_START: '1',
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    clearTimeout(timer);
    return { code, stderr };
  }

  test('with umask 000: config 0640 root:edgelb in a 0750 directory, state directory 0750', async () => {
    const { code, stderr } = await install();
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    const gid = Number(readFileSync(join(root, 'etc', 'group'), 'utf8').match(/^edgelb:x:(\d+):/m)?.[1]);
    const st = (p: string) => statSync(join(root, p));
    const world = (p: string) => (st(p).mode & 0o007).toString(8);
    expect(world('etc/edgelb/config.yaml')).toBe('0');
    expect(world('etc/edgelb')).toBe('0');
    expect(world('var/lib/edgelb')).toBe('0');
    expect([st('etc/edgelb/config.yaml').mode & 0o777, st('etc/edgelb/config.yaml').uid]).toEqual([0o640, 0]);
    expect(st('etc/edgelb/config.yaml').gid).toBe(gid);
    // the binary and the unit are public, and not writable by anyone but root
    expect(st('usr/local/bin/edgelb').mode & 0o022).toBe(0);
    expect(st('etc/systemd/system/edgelb.service').mode & 0o022).toBe(0);
  }, 40_000);

  test('another local user cannot read the config, even one an admin left 0644, after a re-install', async () => {
    // Open every directory above the install root so only edgelb's own modes stand in the way.
    for (const d of [work, root, join(root, 'etc')]) chmodSync(d, 0o755);
    const conf = join(root, 'etc', 'edgelb', 'config.yaml');
    const kube = join(root, 'etc', 'edgelb', 'kubeconfig');
    writeFileSync(kube, 'token: s3cr3t\n', { mode: 0o644 });
    chmodSync(kube, 0o644);
    chmodSync(conf, 0o644);
    chmodSync(join(root, 'etc', 'edgelb'), 0o755);
    const asNobody = (file: string) =>
      Bun.spawnSync(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'cat', file]);
    expect(asNobody(kube).exitCode).toBe(0); // the control: readable while the admin's modes stand
    expect((await install()).code).toBe(0);
    expect(statSync(conf).mode & 0o777).toBe(0o644); // an existing config is kept as is...
    expect(statSync(join(root, 'etc', 'edgelb')).mode & 0o777).toBe(0o750); // ...behind a closed directory
    for (const f of [conf, kube]) {
      const r = asNobody(f);
      expect([f, r.exitCode, r.stderr.toString()]).toEqual([
        f,
        1,
        expect.stringContaining('Permission denied'),
      ]);
    }
    expect(asNobody(join(root, 'usr', 'local', 'bin', 'edgelb')).exitCode).toBe(0);
  }, 40_000);

  test('the unit runs the agent with UMask=0077 and private configuration/state directories', () => {
    const unit = readFileSync(join(ROOT, 'systemd', 'edgelb.service'), 'utf8');
    expect(unit).toMatch(/^UMask=0077$/m);
    expect(unit).toMatch(/^ConfigurationDirectoryMode=07[05]0$/m);
    expect(unit).toMatch(/^StateDirectoryMode=07[05]0$/m);
  });
});
