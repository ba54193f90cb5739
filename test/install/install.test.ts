/**
 * scripts/install.sh and scripts/edgelb-uninstall.sh, run as users run them:
 * `curl -sfL http://127.0.0.1:PORT/install.sh | sh -` against a local HTTP server that
 * serves a release folder laid out as build.sh lays out dist/, into a temporary install
 * root (EDGELB_ROOT). The release's binaries are small stand-ins that answer `version`
 * (the real ones are exercised by test/build); everything else is the real thing.
 * Shims on PATH play uname (other architectures) and systemctl (recording its calls).
 * The machine's own /etc/passwd, /etc/group and systemd are never touched.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missing } from '../support/env.ts';

const ROOT = join(import.meta.dir, '..', '..');
const UNIT = readFileSync(join(ROOT, 'systemd', 'edgelb.service'), 'utf8');
const TARGETS = ['linux-x64', 'linux-x64-baseline', 'linux-arm64'];
const why = missing({ root: true, tools: ['curl', 'useradd', 'userdel', 'sha256sum', 'shellcheck'] });

const work = mkdtempSync(join(tmpdir(), 'edgelb-install-test-'));
const release = join(work, 'release');
const shims = join(work, 'shims');
const root = join(work, 'root');
let server: ReturnType<typeof Bun.serve> | undefined;
let url = '';

/** Writes a release folder: stand-in binaries reporting `version`, the real scripts and unit, SHA256SUMS. */
function writeRelease(version: string, tamper?: string): void {
  rmSync(release, { recursive: true, force: true });
  mkdirSync(release, { recursive: true });
  const files: string[] = [];
  for (const t of TARGETS) {
    const f = `edgelb-${t}`;
    writeFileSync(
      join(release, f),
      `#!/bin/sh\ncase "$1" in version) echo "edgelb ${version} (commit test, ${t})";; *) exit 0;; esac\n`,
    );
    files.push(f);
  }
  copyFileSync(join(ROOT, 'scripts', 'install.sh'), join(release, 'install.sh'));
  copyFileSync(join(ROOT, 'scripts', 'edgelb-uninstall.sh'), join(release, 'edgelb-uninstall.sh'));
  copyFileSync(join(ROOT, 'systemd', 'edgelb.service'), join(release, 'edgelb.service'));
  files.push('install.sh', 'edgelb-uninstall.sh', 'edgelb.service');
  const sums = files.map(
    (f) =>
      `${createHash('sha256')
        .update(readFileSync(join(release, f)))
        .digest('hex')}  ${f}`,
  );
  writeFileSync(join(release, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  if (tamper)
    writeFileSync(join(release, tamper), `${readFileSync(join(release, tamper), 'utf8')}# tampered\n`);
}

/** A fresh install root with just enough of /etc for useradd --root. */
function freshRoot(opts: { systemd?: boolean } = {}): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\n');
  writeFileSync(join(root, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o600 });
  writeFileSync(join(root, 'etc', 'gshadow'), 'root:*::\n', { mode: 0o600 });
  if (opts.systemd) mkdirSync(join(root, 'run', 'systemd', 'system'), { recursive: true });
}

function shim(name: string, body: string): void {
  writeFileSync(join(shims, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(script: string, env: Record<string, string> = {}): Promise<Run> {
  const child = Bun.spawn(['sh', '-c', script], {
    cwd: work,
    env: {
      PATH: `${shims}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: work,
      EDGELB_ROOT: root,
      EDGELB_DOWNLOAD_URL: url,
      EDGELB_CPUINFO: join(work, 'cpuinfo-avx2'),
      ...env,
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

const install = (env: Record<string, string> = {}) => sh(`curl -sfL ${url}/install.sh | sh -`, env);
const uninstall = (args = '') => sh(`sh ${join(root, 'usr/local/bin/edgelb-uninstall.sh')} ${args}`);
const at = (p: string) => join(root, p);
const mode = (p: string) => statSync(at(p)).mode & 0o777;
const passwdLine = () => readFileSync(at('etc/passwd'), 'utf8').match(/^edgelb:.*$/m)?.[0];
const digest = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** True when nothing of edgelb exists in the install root. */
function nothingInstalled(): boolean {
  return (
    !existsSync(at('usr/local/bin/edgelb')) &&
    !existsSync(at('etc/systemd/system/edgelb.service')) &&
    !existsSync(at('etc/edgelb')) &&
    !existsSync(at('var/lib/edgelb')) &&
    passwdLine() === undefined
  );
}

describe.skipIf(!!why)('install.sh and edgelb-uninstall.sh', () => {
  const realEtc = ['/etc/passwd', '/etc/group', '/etc/shadow'].map((f) => [f, digest(f)] as const);

  beforeAll(() => {
    mkdirSync(shims, { recursive: true });
    writeFileSync(join(work, 'cpuinfo-avx2'), 'processor\t: 0\nflags\t\t: fpu sse4_2 avx avx2 bmi2\n');
    writeFileSync(join(work, 'cpuinfo-noavx2'), 'processor\t: 0\nflags\t\t: fpu sse4_2 popcnt\n');
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req) {
        const name = new URL(req.url).pathname.slice(1);
        const path = join(release, name);
        if (name.includes('/') || !existsSync(path)) return new Response('not found', { status: 404 });
        return new Response(Bun.file(path));
      },
    });
    url = `http://127.0.0.1:${server.port}`;
  });

  beforeEach(() => {
    rmSync(shims, { recursive: true, force: true });
    mkdirSync(shims, { recursive: true });
    // Any systemctl call is recorded, never reaching the machine's systemd.
    shim('systemctl', `echo "$*" >> ${join(work, 'systemctl.log')}`);
    rmSync(join(work, 'systemctl.log'), { force: true });
  });

  afterAll(() => {
    server?.stop(true);
    rmSync(work, { recursive: true, force: true });
    // The machine's accounts are untouched.
    for (const [f, d] of realEtc) expect(digest(f)).toBe(d);
  });

  test('both scripts are shellcheck-clean POSIX sh', async () => {
    const r = await sh(
      `shellcheck -s sh ${join(ROOT, 'scripts/install.sh')} ${join(ROOT, 'scripts/edgelb-uninstall.sh')}`,
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('curl | sh installs binary, unit, user, config template and state dir', async () => {
    writeRelease('1.0.0');
    freshRoot();
    const r = await install();
    expect(r.stderr).toContain(
      'installed edgelb 1.0.0 (commit test, linux-x64) (linux-x64) at /usr/local/bin/edgelb.',
    );
    expect(r.code).toBe(0);
    // No systemd in the root: next steps instead of systemctl.
    expect(r.stderr).toContain('next steps');
    expect(existsSync(join(work, 'systemctl.log'))).toBe(false);

    expect(readFileSync(at('usr/local/bin/edgelb'), 'utf8')).toBe(
      readFileSync(join(release, 'edgelb-linux-x64'), 'utf8'),
    );
    expect(mode('usr/local/bin/edgelb')).toBe(0o755);
    expect(mode('usr/local/bin/edgelb-uninstall.sh')).toBe(0o755);
    expect(readFileSync(at('etc/systemd/system/edgelb.service'), 'utf8')).toBe(UNIT);
    expect(mode('etc/systemd/system/edgelb.service')).toBe(0o644);

    const user = passwdLine()?.split(':') ?? [];
    expect(user[0]).toBe('edgelb');
    expect(user[5]).toBe('/var/lib/edgelb');
    const uid = Number(user[2]);
    const gid = Number(user[3]);
    expect(uid).toBeGreaterThan(0);
    expect(uid).toBeLessThan(1000);

    const conf = statSync(at('etc/edgelb/config.yaml'));
    expect(conf.mode & 0o777).toBe(0o640);
    expect([conf.uid, conf.gid]).toEqual([0, gid]);
    const confDir = statSync(at('etc/edgelb'));
    expect([confDir.mode & 0o777, confDir.uid, confDir.gid]).toEqual([0o750, 0, gid]);
    const state = statSync(at('var/lib/edgelb'));
    expect([state.mode & 0o777, state.uid, state.gid]).toEqual([0o750, uid, gid]);
    // The template is comments only, so the defaults apply.
    const template = readFileSync(at('etc/edgelb/config.yaml'), 'utf8');
    expect(template).toContain('# source: kubernetes');
    expect(template.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))).toEqual([]);
  });

  test('a CPU without AVX2 gets the baseline build', async () => {
    writeRelease('1.0.0');
    freshRoot();
    const r = await install({ EDGELB_CPUINFO: join(work, 'cpuinfo-noavx2') });
    expect(r.code).toBe(0);
    expect(readFileSync(at('usr/local/bin/edgelb'), 'utf8')).toContain('linux-x64-baseline');
  });

  test('aarch64 gets the arm64 build', async () => {
    writeRelease('1.0.0');
    freshRoot();
    shim('uname', '[ "$1" = -m ] && echo aarch64 || echo Linux');
    const r = await install();
    expect(r.code).toBe(0);
    expect(readFileSync(at('usr/local/bin/edgelb'), 'utf8')).toContain('linux-arm64');
  });

  test('32-bit ARM is refused with "use a 64-bit OS", nothing installed', async () => {
    writeRelease('1.0.0');
    freshRoot();
    shim('uname', '[ "$1" = -m ] && echo armv7l || echo Linux');
    const r = await install();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'edgelb install: this is a 32-bit ARM system (armv7l); edgelb needs a 64-bit OS (for a Raspberry Pi: Raspberry Pi OS 64-bit or Ubuntu arm64).',
    );
    expect(nothingInstalled()).toBe(true);
  });

  test('another architecture is refused by name, nothing installed', async () => {
    writeRelease('1.0.0');
    freshRoot();
    shim('uname', '[ "$1" = -m ] && echo riscv64 || echo Linux');
    const r = await install();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'edgelb install: the architecture riscv64 is not supported; edgelb runs on x86_64 and aarch64.',
    );
    expect(nothingInstalled()).toBe(true);
  });

  test('a tampered binary is refused and nothing is installed', async () => {
    writeRelease('1.0.0', 'edgelb-linux-x64');
    freshRoot();
    const r = await install();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /checksum mismatch for edgelb-linux-x64 from http:\/\/127\.0\.0\.1:\d+ \(expected [0-9a-f]{64}, got [0-9a-f]{64}\); nothing was installed\.\n$/,
    );
    expect(nothingInstalled()).toBe(true);
  });

  test('a download that is missing is refused and nothing is installed', async () => {
    writeRelease('1.0.0');
    rmSync(join(release, 'edgelb.service'));
    freshRoot();
    const r = await install();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`could not download ${url}/edgelb.service.`);
    expect(nothingInstalled()).toBe(true);
  });

  test('EDGELB_VERSION that does not match the download is refused', async () => {
    writeRelease('1.0.0');
    freshRoot();
    const r = await install({ EDGELB_VERSION: '2.0.0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('asked for version 2.0.0 but the download is "edgelb 1.0.0');
    expect(nothingInstalled()).toBe(true);
  });

  test('re-run upgrades the binary, keeps config and state, restarts under systemd', async () => {
    writeRelease('1.0.0');
    freshRoot({ systemd: true });
    expect((await install()).code).toBe(0);
    const config = 'source: files\nbgp:\n  listenPort: 179\n';
    writeFileSync(at('etc/edgelb/config.yaml'), config);
    writeFileSync(at('var/lib/edgelb/state.json'), '{"allocations":[]}');
    const firstUser = passwdLine();

    // A tampered upgrade leaves the installed version alone.
    writeRelease('1.1.0', 'edgelb-linux-x64');
    const bad = await install();
    expect(bad.code).toBe(1);
    expect(readFileSync(at('usr/local/bin/edgelb'), 'utf8')).toContain('edgelb 1.0.0');

    writeRelease('1.1.0');
    rmSync(join(work, 'systemctl.log'), { force: true });
    const r = await install({ EDGELB_VERSION: '1.1.0' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'upgraded edgelb 1.0.0 (commit test, linux-x64) to edgelb 1.1.0 (commit test, linux-x64) (linux-x64)',
    );
    expect(r.stderr).toContain('kept the existing /etc/edgelb/config.yaml.');
    expect(readFileSync(at('usr/local/bin/edgelb'), 'utf8')).toContain('edgelb 1.1.0');
    expect(readFileSync(at('etc/edgelb/config.yaml'), 'utf8')).toBe(config);
    expect(readFileSync(at('var/lib/edgelb/state.json'), 'utf8')).toBe('{"allocations":[]}');
    expect(passwdLine()).toBe(firstUser);
    expect(readFileSync(join(work, 'systemctl.log'), 'utf8')).toBe(
      'daemon-reload\nenable edgelb.service\nrestart edgelb.service\n',
    );
    // No temporary files are left next to the binary.
    expect(existsSync(at('usr/local/bin/.edgelb.new'))).toBe(false);
  });

  test('EDGELB_SKIP_START never calls systemctl; EDGELB_BIN_DIR moves binary and ExecStart', async () => {
    writeRelease('1.0.0');
    freshRoot({ systemd: true });
    const r = await install({ EDGELB_SKIP_START: '1', EDGELB_BIN_DIR: '/opt/edgelb/bin' });
    expect(r.code).toBe(0);
    expect(existsSync(join(work, 'systemctl.log'))).toBe(false);
    expect(r.stderr).toContain('/opt/edgelb/bin/edgelb check-config --config /etc/edgelb/config.yaml');
    expect(existsSync(at('opt/edgelb/bin/edgelb'))).toBe(true);
    expect(readFileSync(at('etc/systemd/system/edgelb.service'), 'utf8')).toBe(
      UNIT.replace('ExecStart=/usr/local/bin/edgelb ', 'ExecStart=/opt/edgelb/bin/edgelb '),
    );
  });

  test('uninstall removes binary, unit and user but keeps config and state', async () => {
    writeRelease('1.0.0');
    freshRoot({ systemd: true });
    expect((await install()).code).toBe(0);
    writeFileSync(at('var/lib/edgelb/state.json'), '{}');
    rmSync(join(work, 'systemctl.log'), { force: true });
    const r = await uninstall();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('kept /etc/edgelb and /var/lib/edgelb');
    expect(readFileSync(join(work, 'systemctl.log'), 'utf8')).toBe(
      'disable --now edgelb.service\ndaemon-reload\n',
    );
    expect(existsSync(at('usr/local/bin/edgelb'))).toBe(false);
    expect(existsSync(at('usr/local/bin/edgelb-uninstall.sh'))).toBe(false);
    expect(existsSync(at('etc/systemd/system/edgelb.service'))).toBe(false);
    expect(passwdLine()).toBeUndefined();
    expect(readFileSync(at('etc/group'), 'utf8')).not.toContain('edgelb');
    expect(existsSync(at('etc/edgelb/config.yaml'))).toBe(true);
    expect(readFileSync(at('var/lib/edgelb/state.json'), 'utf8')).toBe('{}');
  });

  test('uninstall --purge also deletes config and state', async () => {
    writeRelease('1.0.0');
    freshRoot();
    expect((await install()).code).toBe(0);
    const r = await uninstall('--purge');
    expect(r.code).toBe(0);
    expect(nothingInstalled()).toBe(true);
    expect(existsSync(at('usr/local/bin/edgelb-uninstall.sh'))).toBe(false);
  });

  test('uninstall refuses an unknown argument without removing anything', async () => {
    writeRelease('1.0.0');
    freshRoot();
    expect((await install()).code).toBe(0);
    const r = await uninstall('--purrge');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown argument "--purrge"');
    expect(existsSync(at('usr/local/bin/edgelb'))).toBe(true);
  });
});
