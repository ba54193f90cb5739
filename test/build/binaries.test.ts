/**
 * scripts/build.sh: builds the three binaries once (into a temporary folder), then runs
 * each one (arm64 under qemu as a Raspberry Pi 4's Cortex-A72), checks SHA256SUMS, that a
 * stray .env or bunfig.toml in the working directory is ignored, and that the agent's
 * system calls all pass the systemd unit's SystemCallFilter.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { allowedSyscalls, firstPid, tracedSyscalls } from './syscalls.ts';

const ROOT = join(import.meta.dir, '..', '..');
const BUN = join(ROOT, 'node_modules', '.bin', 'bun');
const QEMU = ['qemu-aarch64-static', '-cpu', 'cortex-a72', '-L', '/usr/aarch64-linux-gnu'];
const TARGETS = ['linux-x64', 'linux-x64-baseline', 'linux-arm64'] as const;
const ELF_MACHINE = { 'linux-x64': 0x3e, 'linux-x64-baseline': 0x3e, 'linux-arm64': 0xb7 };

const why = missing({ tools: ['qemu-aarch64-static', 'sha256sum', 'git', 'xz'] });
const work = mkdtempSync(join(tmpdir(), 'edgelb-build-test-'));
const dist = join(work, 'dist');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(
  cmd: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
) {
  const child = Bun.spawn(cmd, {
    cwd: opts.cwd ?? work,
    env: opts.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { code, stdout, stderr } satisfies Result;
  } finally {
    clearTimeout(timer);
  }
}

function binary(target: (typeof TARGETS)[number]): string[] {
  const path = join(dist, `edgelb-${target}`);
  return target === 'linux-arm64' ? [...QEMU, path] : [path];
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const commit = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout.toString().trim();
let build: Result;

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Release files beside the binaries and install scripts. */
const RELEASE_EXTRAS = [
  'edgelb-dashboard.json',
  'edgelb-alerts.rules.yaml',
  'edgelb.bash',
  'edgelb.zsh',
  'edgelb.fish',
  'edgelb.8',
];

describe.skipIf(!!why)('scripts/build.sh', () => {
  beforeAll(async () => {
    build = await exec(['bash', join(ROOT, 'scripts', 'build.sh')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? work, EDGELB_DIST: dist },
      timeoutMs: 600_000,
    });
    if (build.code !== 0) throw new Error(`build.sh failed (${build.code}): ${build.stderr}`);
  }, 600_000);

  test('writes the three binaries, SHA256SUMS and the install scripts', () => {
    for (const t of TARGETS) {
      const bytes = readFileSync(join(dist, `edgelb-${t}`));
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(bytes.readUInt16LE(18)).toBe(ELF_MACHINE[t]);
    }
    for (const f of ['scripts/install.sh', 'scripts/edgelb-uninstall.sh', 'systemd/edgelb.service']) {
      const name = f.split('/')[1] ?? f;
      expect(readFileSync(join(dist, name), 'utf8')).toBe(readFileSync(join(ROOT, f), 'utf8'));
    }
  });

  test('the dashboard and rules are the sources; completion and the man page come from the CLI', () => {
    for (const f of ['edgelb-dashboard.json', 'edgelb-alerts.rules.yaml'])
      expect(readFileSync(join(dist, f), 'utf8')).toBe(
        readFileSync(join(ROOT, 'scripts', 'monitoring', f), 'utf8'),
      );
    expect(readFileSync(join(dist, 'edgelb.bash'), 'utf8')).toContain('complete -F _edgelb edgelb');
    expect(readFileSync(join(dist, 'edgelb.zsh'), 'utf8')).toStartWith('#compdef edgelb');
    expect(readFileSync(join(dist, 'edgelb.fish'), 'utf8')).toContain('complete -c edgelb');
    expect(readFileSync(join(dist, 'edgelb.8'), 'utf8')).toStartWith('.TH EDGELB 8 ');
  });

  test('SHA256SUMS lists every downloadable file with its real digest', () => {
    const lines = readFileSync(join(dist, 'SHA256SUMS'), 'utf8').trim().split('\n');
    const sums = new Map(lines.map((l) => l.split(/\s+\*?/) as [string, string]).map(([h, f]) => [f, h]));
    const files = [
      ...TARGETS.map((t) => `edgelb-${t}`),
      ...TARGETS.map((t) => `edgelb-${t}.xz`),
      'edgelb.service',
      'edgelb-uninstall.sh',
      'install.sh',
      ...RELEASE_EXTRAS,
    ];
    expect([...sums.keys()].sort()).toEqual(files.sort());
    for (const [file, digest] of sums) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(dist, file)))
          .digest('hex'),
      ).toBe(digest);
    }
  });

  test('each .xz (the smaller download) decompresses to its binary and is at most 45 MB', async () => {
    for (const t of TARGETS) {
      const xz = join(dist, `edgelb-${t}.xz`);
      expect(Bun.file(xz).size).toBeLessThanOrEqual(45 * 1000 * 1000);
      const r = await exec(['sh', '-c', `xz -dc "$0" | sha256sum`, xz], { timeoutMs: 120_000 });
      expect(r.code).toBe(0);
      expect(r.stdout.split(' ')[0]).toBe(
        createHash('sha256')
          .update(readFileSync(join(dist, `edgelb-${t}`)))
          .digest('hex'),
      );
    }
  }, 400_000);

  for (const t of TARGETS) {
    test(`${t}: version reports the baked-in version, commit and target`, async () => {
      const r = await exec([...binary(t), 'version', '--json'], { timeoutMs: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const info = JSON.parse(r.stdout) as Record<string, string>;
      expect(info).toMatchObject({ version: pkg.version, commit: commit || 'unknown', target: t });
    }, 60_000);

    test(`${t}: check-config accepts a valid config and rejects an invalid one with 1`, async () => {
      const good = join(work, `good-${t}.yaml`);
      const bad = join(work, `bad-${t}.yaml`);
      writeFileSync(
        good,
        'source: files\nfiles:\n  manifests: /etc/edgelb/manifests.d\nbgp:\n  listenPort: 179\nhttp:\n  listen: 127.0.0.1:9180\n',
      );
      writeFileSync(bad, 'bgp:\n  listenPort: x\n');
      const ok = await exec([...binary(t), 'check-config', '--config', good], { timeoutMs: 60_000 });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      const ko = await exec([...binary(t), 'check-config', '--config', bad], { timeoutMs: 60_000 });
      expect(ko.code).toBe(1);
      expect(ko.stderr).toContain('bgp.listenPort');
    }, 60_000);
  }

  test('a stray .env and bunfig.toml in the working directory are not read', async () => {
    const cwd = join(work, 'stray');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, '.env'), 'EDGELB_STRAY=from-dotenv\n');
    writeFileSync(join(cwd, 'bunfig.toml'), 'preload = ["./preload.js"]\n');
    writeFileSync(
      join(cwd, 'preload.js'),
      `require('node:fs').writeFileSync('preloaded', String(process.env.EDGELB_STRAY));\n`,
    );
    // Positive control: a compile without build.sh's flags does load both, so the probe works.
    const probe = join(cwd, 'probe.ts');
    writeFileSync(probe, 'console.log(JSON.stringify(process.env.EDGELB_STRAY ?? null));\n');
    const control = await exec([BUN, 'build', probe, '--compile', '--outfile', join(work, 'control')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? work },
    });
    expect(control.code).toBe(0);
    const c = await exec([join(work, 'control')], { cwd });
    expect(c.stdout.trim()).toBe('"from-dotenv"');
    expect(readFileSync(join(cwd, 'preloaded'), 'utf8')).toBe('from-dotenv');
    rmSync(join(cwd, 'preloaded'));

    // The real binaries: the preload never runs, and the output is the same as elsewhere.
    for (const t of ['linux-x64', 'linux-x64-baseline'] as const) {
      const here = await exec([...binary(t), 'version', '--json'], { cwd });
      const there = await exec([...binary(t), 'version', '--json'], { cwd: work });
      expect(here).toEqual(there);
      expect(existsSync(join(cwd, 'preloaded'))).toBe(false);
    }
  }, 60_000);
});

const whyInstall = missing({ root: true, tools: ['curl', 'useradd'] });

describe.skipIf(!!why || !!whyInstall)('dist/ as a download location', () => {
  test('curl | sh from the built dist/ installs the binary for this CPU, and it runs', async () => {
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req) {
        const name = new URL(req.url).pathname.slice(1);
        const path = join(dist, name);
        if (name.includes('/') || !existsSync(path)) return new Response('not found', { status: 404 });
        return new Response(Bun.file(path));
      },
    });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const root = join(work, 'install-root');
      mkdirSync(join(root, 'etc'), { recursive: true });
      writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
      writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\n');
      writeFileSync(join(root, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o600 });
      writeFileSync(join(root, 'etc', 'gshadow'), 'root:*::\n', { mode: 0o600 });
      const r = await exec(['sh', '-c', `curl -sfL ${url}/install.sh | sh -`], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: work,
          EDGELB_ROOT: root,
          EDGELB_DOWNLOAD_URL: url,
          EDGELB_VERSION: pkg.version,
        },
        timeoutMs: 60_000,
      });
      expect(r.stderr).toContain(`installed edgelb ${pkg.version} (commit ${commit || 'unknown'}`);
      expect(r.code).toBe(0);
      const avx2 = /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
      const want = avx2 ? 'edgelb-linux-x64' : 'edgelb-linux-x64-baseline';
      const installed = join(root, 'usr', 'local', 'bin', 'edgelb');
      const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
      expect(sha(installed)).toBe(sha(join(dist, want)));
      const v = await exec([
        installed,
        'check-config',
        '--config',
        join(root, 'etc', 'edgelb', 'config.yaml'),
      ]);
      expect(v.stderr).toBe('');
      expect(v.code).toBe(0);
    } finally {
      server.stop(true);
    }
  }, 90_000);
});

const whyTrace = missing({ tools: ['strace', 'systemd-analyze', 'curl'] });

describe.skipIf(!!why || !!whyTrace)('the agent under the unit’s SystemCallFilter', () => {
  test('every system call of run + /healthz + SIGTERM is allowed', async () => {
    const unit = readFileSync(join(ROOT, 'systemd', 'edgelb.service'), 'utf8');
    const allowed = allowedSyscalls(unit);
    expect(allowed.has('read')).toBe(true);
    expect(allowed.has('reboot')).toBe(false);
    expect(allowed.has('setrlimit')).toBe(false);

    const dir = join(work, 'trace');
    mkdirSync(join(dir, 'manifests.d'), { recursive: true });
    // A port the kernel hands out is free now; a random one may be an outgoing connection's.
    const port = await freePort();
    writeFileSync(
      join(dir, 'config.yaml'),
      `nodeName: trace\nsource: files\nfiles:\n  manifests: ${dir}/manifests.d\n  state: ${dir}/state.json\nhttp:\n  listen: 127.0.0.1:${port}\n`,
    );
    const traceFile = join(dir, 'strace.txt');
    const child = Bun.spawn(
      [
        'strace',
        '-f',
        '-qq',
        '-o',
        traceFile,
        join(dist, 'edgelb-linux-x64'),
        'run',
        '--config',
        'config.yaml',
      ],
      {
        cwd: dir,
        // The sd_notify path (bun:ffi into libc, an AF_UNIX datagram) runs too; nobody listens.
        env: { ...process.env, NOTIFY_SOCKET: join(dir, 'notify.sock') },
        stdin: 'ignore',
        stdout: 'ignore',
        stderr: 'ignore',
      },
    );
    try {
      let healthy = false;
      for (let i = 0; i < 100 && !healthy; i++) {
        const r = await exec(['curl', '-sf', `http://127.0.0.1:${port}/healthz`]);
        healthy = r.code === 0;
        if (!healthy) await Bun.sleep(100);
      }
      expect(healthy).toBe(true);
    } finally {
      // SIGTERM to the agent itself (its PID is the first in the log); strace exits with it.
      const pid = existsSync(traceFile) ? firstPid(readFileSync(traceFile, 'utf8')) : undefined;
      if (pid !== undefined) process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
        child.kill('SIGKILL');
      }, 10_000);
      await child.exited;
      clearTimeout(timer);
    }
    const log = readFileSync(traceFile, 'utf8');
    // strace may split a call that another thread interrupts ("... 0 <unfinished ...>"), so match its start.
    expect(log).toMatch(/^\d+\s+socket\(AF_UNIX, SOCK_DGRAM\|SOCK_CLOEXEC, 0\b/m);
    const used = tracedSyscalls(log);
    expect(used.size).toBeGreaterThan(20);
    // execve happens before systemd applies the filter; everything after it must pass.
    used.delete('execve');
    expect([...used].filter((s) => !allowed.has(s))).toEqual([]);
  }, 60_000);
});
