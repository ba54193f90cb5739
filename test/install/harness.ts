/**
 * What the installer tests share: a release folder served over loopback HTTP (as build.sh
 * lays out dist/, optionally with the .xz binaries), a temporary install root, shims on
 * PATH (systemctl records its calls), and `curl | sh` runs with an environment of their own.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dir, '..', '..');
export const TARGETS = ['linux-x64', 'linux-x64-baseline', 'linux-arm64'];
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class InstallLab {
  readonly work = mkdtempSync(join(tmpdir(), 'edgelb-install-lab-'));
  readonly release = join(this.work, 'release');
  readonly shims = join(this.work, 'shims');
  readonly root = join(this.work, 'root');
  readonly systemctlLog = join(this.work, 'systemctl.log');
  /** Release files downloaded, in order. */
  readonly downloads: string[] = [];
  url = '';
  private server: ReturnType<typeof Bun.serve> | undefined;

  start(): void {
    writeFileSync(join(this.work, 'cpuinfo-avx2'), 'processor\t: 0\nflags\t\t: fpu sse4_2 avx avx2 bmi2\n');
    this.server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (req) => {
        const name = new URL(req.url).pathname.slice(1);
        const path = join(this.release, name);
        if (name.includes('/') || !existsSync(path)) return new Response('not found', { status: 404 });
        this.downloads.push(name);
        return new Response(Bun.file(path));
      },
    });
    this.url = `http://127.0.0.1:${this.server.port}`;
  }

  stop(): void {
    this.server?.stop(true);
    rmSync(this.work, { recursive: true, force: true });
  }

  /** A release whose binaries are `binary(target)`; with xz, also edgelb-<target>.xz (xz -6). */
  writeRelease(binary: (target: string) => string, opts: { xz?: boolean; tamper?: string } = {}): void {
    rmSync(this.release, { recursive: true, force: true });
    mkdirSync(this.release, { recursive: true });
    const files: string[] = [];
    for (const t of TARGETS) {
      const f = `edgelb-${t}`;
      writeFileSync(join(this.release, f), binary(t), { mode: 0o755 });
      files.push(f);
      if (opts.xz) {
        const r = Bun.spawnSync(['xz', '-6', '--stdout', join(this.release, f)]);
        if (r.exitCode !== 0) throw new Error(`xz failed: ${r.stderr}`);
        writeFileSync(join(this.release, `${f}.xz`), r.stdout);
        files.push(`${f}.xz`);
      }
    }
    copyFileSync(join(ROOT, 'scripts', 'install.sh'), join(this.release, 'install.sh'));
    copyFileSync(join(ROOT, 'scripts', 'edgelb-uninstall.sh'), join(this.release, 'edgelb-uninstall.sh'));
    copyFileSync(join(ROOT, 'systemd', 'edgelb.service'), join(this.release, 'edgelb.service'));
    files.push('install.sh', 'edgelb-uninstall.sh', 'edgelb.service');
    const sums = files.map(
      (f) =>
        `${createHash('sha256')
          .update(readFileSync(join(this.release, f)))
          .digest('hex')}  ${f}`,
    );
    writeFileSync(join(this.release, 'SHA256SUMS'), `${sums.join('\n')}\n`);
    if (opts.tamper) {
      const p = join(this.release, opts.tamper);
      const bytes = readFileSync(p);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      writeFileSync(p, bytes);
    }
    this.downloads.length = 0;
  }

  /** A fresh install root with just enough of /etc for useradd --root; systemd: /run/systemd/system. */
  freshRoot(opts: { systemd?: boolean } = {}): void {
    rmSync(this.root, { recursive: true, force: true });
    mkdirSync(join(this.root, 'etc'), { recursive: true });
    writeFileSync(join(this.root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(this.root, 'etc', 'group'), 'root:x:0:\n');
    writeFileSync(join(this.root, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o600 });
    writeFileSync(join(this.root, 'etc', 'gshadow'), 'root:*::\n', { mode: 0o600 });
    if (opts.systemd) mkdirSync(join(this.root, 'run', 'systemd', 'system'), { recursive: true });
    rmSync(this.systemctlLog, { force: true });
    rmSync(this.shims, { recursive: true, force: true });
    mkdirSync(this.shims, { recursive: true });
    // Any systemctl call is recorded, never reaching the machine's systemd.
    writeFileSync(join(this.shims, 'systemctl'), `#!/bin/sh\necho "$*" >> ${this.systemctlLog}\n`, {
      mode: 0o755,
    });
  }

  systemctlCalls(): string[] {
    return existsSync(this.systemctlLog) ? readFileSync(this.systemctlLog, 'utf8').trim().split('\n') : [];
  }

  /**
   * A folder of links to every program in the system folders except the named ones: a PATH
   * of the machine as it would be without those packages (e.g. xz).
   */
  pathWithout(...names: string[]): string {
    const d = join(this.work, `path-without-${names.join('-')}`);
    if (existsSync(d)) return d;
    mkdirSync(d);
    for (const sys of SYSTEM_PATH.split(':')) {
      let entries: string[];
      try {
        entries = readdirSync(sys);
      } catch {
        continue;
      }
      for (const e of entries) {
        if (names.includes(e) || existsSync(join(d, e))) continue;
        symlinkSync(join(sys, e), join(d, e));
      }
    }
    return d;
  }

  async install(env: Record<string, string> = {}, path = SYSTEM_PATH): Promise<Run> {
    const child = Bun.spawn(['sh', '-c', `curl -sfL ${this.url}/install.sh | sh -`], {
      cwd: this.work,
      env: {
        PATH: `${this.shims}:${path}`,
        HOME: this.work,
        EDGELB_ROOT: this.root,
        EDGELB_DOWNLOAD_URL: this.url,
        EDGELB_CPUINFO: join(this.work, 'cpuinfo-avx2'),
        ...env,
      },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
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

  at(p: string): string {
    return join(this.root, p);
  }
}

/** A stand-in binary that answers `version` like the real one. */
export const standIn = (version: string) => (t: string) =>
  `#!/bin/sh\ncase "$1" in version) echo "edgelb ${version} (commit test, ${t})";; *) exit 0;; esac\n`;
