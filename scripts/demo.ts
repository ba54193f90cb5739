/**
 * `npm run demo`: edgelb in files mode on this machine, no cluster and no root.
 * It starts `edgelb bgp listen` as the router (AS 65000 on 127.0.0.1:1179), then
 * `edgelb run` with the blog's pool, policy and Services (scripts/demo/manifests),
 * prints the allocations, the routes the router received and the endpoint URLs, and
 * stops both cleanly on Ctrl-C. `--once` stops after printing (used by the tests).
 */

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Subprocess, spawn } from 'bun';

const ROOT = join(import.meta.dir, '..');
const BUN = process.execPath;
const MAIN = join(ROOT, 'agent', 'main.ts');
const once = process.argv.includes('--once');
const httpPort = Number(process.env.EDGELB_DEMO_HTTP_PORT ?? 9180);
const bgpPort = 1179;

const dir = mkdtempSync(join(tmpdir(), 'edgelb-demo-'));
cpSync(join(ROOT, 'scripts', 'demo', 'manifests'), join(dir, 'manifests'), { recursive: true });
const configPath = join(dir, 'config.yaml');
writeFileSync(
  configPath,
  `# edgelb demo: standalone files mode
source: files
nodeName: demo-node
files:
  manifests: ${join(dir, 'manifests')}
  state: ${join(dir, 'state.json')}
  nodeLabels:
    peering: "yes"
bgp:
  routerId: 10.255.0.1
  shutdown: withdraw
http:
  listen: 127.0.0.1:${httpPort}
log:
  level: info
  format: text
`,
);

const routes = new Map<string, string>();
const children: Subprocess[] = [];
let stopping = false;

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

async function pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('\nStopping: the agent withdraws its routes, then the router stops.');
  for (const c of [...children].reverse()) {
    c.kill('SIGTERM');
    await Promise.race([c.exited, Bun.sleep(5000)]);
    if (c.exitCode === null) c.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  say(`edgelb demo — files mode, working directory ${dir}`);
  // setsid: a Ctrl-C in the terminal reaches only the demo, which stops the agent first (it
  // withdraws its routes) and then the router; otherwise all three would get SIGINT at once.
  const router = spawn(
    [
      'setsid',
      BUN,
      MAIN,
      'bgp',
      'listen',
      '--asn',
      '65000',
      '--listen',
      `127.0.0.1:${bgpPort}`,
      '--router-id',
      '10.255.0.254',
      '--json',
    ],
    { stdout: 'pipe', stderr: 'pipe' },
  );
  children.push(router);
  // --json makes the router's log JSON too: shown in the agent's text format, one format for the demo.
  void pump(router.stderr, (line) => {
    try {
      const { time, level, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
      const kv = Object.entries(fields).map(
        ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
      );
      process.stderr.write(
        `router: ${time} ${String(level).toUpperCase().padEnd(5)} ${msg} ${kv.join(' ')}\n`,
      );
    } catch {
      process.stderr.write(`router: ${line}\n`);
    }
  });
  void pump(router.stdout, (line) => {
    try {
      const e = JSON.parse(line) as { event: string; prefix?: string; nextHop?: string; asPath?: number[] };
      if (e.event === 'announce' && e.prefix) {
        routes.set(e.prefix, `via ${e.nextHop} AS path ${(e.asPath ?? []).join(' ')}`);
        if (!once) say(`router: + ${e.prefix} via ${e.nextHop} AS path ${(e.asPath ?? []).join(' ')}`);
      } else if (e.event === 'withdraw' && e.prefix) {
        routes.delete(e.prefix);
        if (!once) say(`router: - ${e.prefix}`);
      }
    } catch {
      // not JSON: ignore
    }
  });

  const agent = spawn(['setsid', BUN, MAIN, 'run', '--config', configPath], {
    stdout: 'inherit',
    stderr: 'pipe',
  });
  children.push(agent);
  void pump(agent.stderr, (line) => {
    if (!once && / (WARN|ERROR) /.test(line)) process.stderr.write(`agent: ${line}\n`);
  });

  const base = `http://127.0.0.1:${httpPort}`;
  await waitFor('the agent to be ready', async () => (await fetch(`${base}/readyz`)).ok, 20_000);
  await waitFor('the router to receive both routes', () => routes.size >= 2, 20_000);

  const status = Bun.spawnSync([BUN, MAIN, 'status', '--url', base]);
  say();
  say('$ edgelb status');
  process.stdout.write(status.stdout.toString());
  say();
  say('Routes the router (edgelb bgp listen, AS 65000) holds:');
  for (const [prefix, how] of [...routes].sort()) say(`  ${prefix} ${how}`);
  say();
  say('Endpoints:');
  for (const p of ['/healthz', '/readyz', '/metrics', '/status']) say(`  ${base}${p}`);
  say();
  if (once) await shutdown(0);
  else say('Edit the manifests in the working directory to see routes follow; Ctrl-C stops everything.');
} catch (err) {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  await shutdown(1);
}
