/**
 * A real release folder for installer tests that run the real binary: scripts/build.sh for
 * the one target this machine's installer picks, cached under .tmp/nspawn/ by a digest of
 * everything the binary is built from (agent/, package.json, the lockfile, build.sh), then
 * the current install.sh, uninstaller and unit beside it, with SHA256SUMS over all of them
 * (as build.sh writes it). Older builds of the target are removed from the cache.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch } from 'node:os';
import { join, relative } from 'node:path';
import { CACHE, REPO } from '../support/nspawn.ts';
import { run } from '../support/proc.ts';

const BUILD_TIMEOUT_MS = 900_000;

/** The target install.sh picks on this machine (same rules: arm64, else AVX2 or baseline). */
export function installTarget(): string {
  if (arch() === 'arm64') return 'linux-arm64';
  return /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) ? 'linux-x64' : 'linux-x64-baseline';
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** A digest of the binary's inputs. */
export function buildKey(target: string): string {
  const h = createHash('sha256').update(target);
  const inputs = [
    ...filesUnder(join(REPO, 'agent')),
    join(REPO, 'package.json'),
    join(REPO, 'package-lock.json'),
    join(REPO, 'scripts', 'build.sh'),
  ];
  for (const f of inputs) h.update(relative(REPO, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 12);
}

/** The built binary (and its .xz) for target, from the cache or built now. */
export async function builtBinary(target: string): Promise<{ dir: string; builtMs?: number }> {
  const dir = join(CACHE, `build-${target}-${buildKey(target)}`);
  if (existsSync(join(dir, `edgelb-${target}.xz`))) return { dir };
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const t0 = performance.now();
  await run(
    ['env', `EDGELB_TARGETS=${target}`, `EDGELB_DIST=${partial}`, 'bash', join(REPO, 'scripts', 'build.sh')],
    {
      timeoutMs: BUILD_TIMEOUT_MS,
    },
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  // Older builds of this target are stale (their inputs changed): keep the cache to one.
  for (const e of readdirSync(CACHE)) {
    if (e.startsWith(`build-${target}-`) && join(CACHE, e) !== dir && !e.endsWith('.partial')) {
      rmSync(join(CACHE, e), { recursive: true, force: true });
    }
  }
  return { dir, builtMs: performance.now() - t0 };
}

/** A release folder at dest: the binary (and .xz) of target, the current scripts and unit, SHA256SUMS. */
export function writeRelease(binaryDir: string, target: string, dest: string): void {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const files: [string, string][] = [
    [join(binaryDir, `edgelb-${target}`), `edgelb-${target}`],
    [join(binaryDir, `edgelb-${target}.xz`), `edgelb-${target}.xz`],
    [join(REPO, 'scripts', 'install.sh'), 'install.sh'],
    [join(REPO, 'scripts', 'edgelb-uninstall.sh'), 'edgelb-uninstall.sh'],
    [join(REPO, 'systemd', 'edgelb.service'), 'edgelb.service'],
  ];
  const sums: string[] = [];
  for (const [from, name] of files) {
    copyFileSync(from, join(dest, name));
    sums.push(`${createHash('sha256').update(readFileSync(from)).digest('hex')}  ${name}`);
  }
  writeFileSync(join(dest, 'SHA256SUMS'), `${sums.join('\n')}\n`);
}
