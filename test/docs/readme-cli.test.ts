/**
 * README edgelb command lines no other test runs as given: `edgelb help`, `edgelb version`,
 * every option of the `edgelb kubeconfig` synopsis against the test API server, the `edgelb
 * drain` synopsis's options, and the bgpd option the FRR router-config warning names.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { commands } from '../../agent/cli/commands.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { BUN, MAIN, runCli } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { BGPD } from '../support/frr.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgelb-readme-cli-'));

/** Async: the test API server runs in this process, so a blocking spawn would deadlock it. */
async function cli(args: string[]) {
  const p = Bun.spawn([BUN, MAIN, ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, HOME: dir },
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

test('edgelb help lists every command', () => {
  const r = runCli(['help']);
  expect(r.code).toBe(0);
  for (const c of commands) expect(r.stdout).toContain(c.name);
});

test('edgelb version prints the version, commit and target (from source: dev)', () => {
  const r = runCli(['version']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^edgelb \S+ \(commit \S+, linux-(x64|arm64)[^,]*, bun \d/);
});

test('edgelb drain [--config PATH] [--settle SECONDS] [--timeout SECONDS]: each option parses', async () => {
  const cfg = join(dir, 'drain.yaml');
  writeFileSync(cfg, `control:\n  socket: ${join(dir, 'control.sock')}\n`);
  const r = await cli(['drain', '--config', cfg, '--settle', '0', '--timeout', '1']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('no control socket at');
  const bad = await cli(['drain', '--timeout', 'soon']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--timeout');
}, 30_000);

describe('edgelb kubeconfig [--server URL] [-o FILE] [--namespace NS] [--kubeconfig PATH]', () => {
  let srv: TestApiServer;
  beforeAll(async () => {
    srv = await startApiServer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  test('every option at once: the ServiceAccount in NS, the file 0600 naming the server', async () => {
    const out = join(dir, 'node.kubeconfig');
    srv.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edgelb-system' } });
    const r = await cli([
      'kubeconfig',
      '--server',
      'https://192.168.2.12:6443',
      '-o',
      out,
      '--namespace',
      'edgelb-system',
      '--kubeconfig',
      srv.kubeconfigCert,
    ]);
    expect(r).toMatchObject({ code: 0 });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const kc = parse(readFileSync(out, 'utf8'));
    expect(kc.clusters[0].cluster.server).toBe('https://192.168.2.12:6443');
    expect(srv.get('v1', 'ServiceAccount', 'edgelb-system', 'edgelb')).toBeDefined();
    expect(srv.get('v1', 'Secret', 'edgelb-system', 'edgelb-token')?.data?.token).toBeDefined();
  }, 30_000);
});

const noBgpd = missing({ tools: [BGPD] });
test.skipIf(!!noBgpd)("bgpd -p: FRR's bgpd has the option the router-config warning tells to use", () => {
  const r = Bun.spawnSync([BGPD, '--help'], { stdout: 'pipe', stderr: 'pipe' });
  expect(`${r.stdout}${r.stderr}`).toMatch(/-p, --bgp_port/);
});

test('PROPERTY_SEED=<n> PROPERTY_PATH=<path> bun test <file> -t <name> replays one property case', () => {
  const r = Bun.spawnSync(
    [BUN, 'test', 'test/net/bytes.test.ts', '-t', 'IPv4: the same in both directions'],
    {
      cwd: join(import.meta.dir, '..', '..'),
      env: { ...process.env, PROPERTY_SEED: '42', PROPERTY_PATH: '0' },
      stdout: 'pipe',
      stderr: 'pipe',
    },
  );
  const out = `${r.stdout}${r.stderr}`;
  expect(r.exitCode).toBe(0);
  expect(out).toContain('property tests: seed 42 path 0');
  expect(out).toMatch(/\b1 pass\b/);
}, 30_000);
