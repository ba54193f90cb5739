/**
 * The README's download commands, run as written by `sh` in an empty folder, with `<url>` the
 * address of a local HTTP server holding a release (stand-in binaries, the real install files,
 * SHA256SUMS as build.sh writes it): the binary arrives, the checksum passes, it runs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InstallLab, standIn } from '../install/harness.ts';
import { ROOT } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { readmeCommands } from './readme-shell.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COMMANDS = new Set(readmeCommands(README));
const why = missing({ tools: ['curl', 'sha256sum'] });

function readme(cmd: string): string {
  if (!COMMANDS.has(cmd)) throw new Error(`the README no longer shows: ${cmd}`);
  return cmd;
}

describe.skipIf(!!why)('the README download commands against a local release', () => {
  const lab = new InstallLab();
  let cwd: string;
  beforeAll(() => {
    lab.start();
    lab.writeRelease(standIn('0.1.0'));
  });
  afterAll(() => lab.stop());

  async function sh(script: string) {
    const p = Bun.spawn(['sh', '-ec', script.replaceAll('<url>', lab.url)], {
      cwd,
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    const [stdout, stderr, code] = await Promise.all([
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
      p.exited,
    ]);
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  test('quick start: download and make executable in one line', async () => {
    cwd = mkdtempSync(join(lab.work, 'quick-'));
    const r = await sh(readme('curl -sfLO <url>/edgelb-linux-x64 && chmod +x edgelb-linux-x64'));
    expect(r.code).toBe(0);
    expect(statSync(join(cwd, 'edgelb-linux-x64')).mode & 0o111).not.toBe(0);
    expect((await sh('./edgelb-linux-x64 version')).stdout).toContain('edgelb 0.1.0');
  });

  test('install step 1: download, check against SHA256SUMS, make executable', async () => {
    cwd = mkdtempSync(join(lab.work, 'step1-'));
    expect((await sh(readme('curl -sfLO <url>/edgelb-linux-x64'))).code).toBe(0);
    const sums = await sh(readme('curl -sfLO <url>/SHA256SUMS && sha256sum --ignore-missing -c SHA256SUMS'));
    expect(sums).toMatchObject({ code: 0, stdout: 'edgelb-linux-x64: OK\n' });
    expect((await sh(readme('chmod +x edgelb-linux-x64'))).code).toBe(0);
    expect((await sh('./edgelb-linux-x64 version')).code).toBe(0);
  });

  test('a binary that does not match SHA256SUMS fails the check', async () => {
    cwd = mkdtempSync(join(lab.work, 'tampered-'));
    await sh(readme('curl -sfLO <url>/edgelb-linux-x64'));
    writeFileSync(join(cwd, 'edgelb-linux-x64'), 'not the release\n');
    const r = await sh(readme('curl -sfLO <url>/SHA256SUMS && sha256sum --ignore-missing -c SHA256SUMS'));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('edgelb-linux-x64: FAILED');
  });
});
