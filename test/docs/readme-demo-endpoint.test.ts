/**
 * While `npm run demo` runs, the README's curl lines against the local endpoint answer as it
 * says, and Ctrl-C (SIGINT) stops the demo cleanly. The demo's HTTP port stands in for 9180.
 */
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUN, freePort, ROOT } from '../support/cli.ts';
import { readmeCommands } from './readme-shell.ts';

const COMMANDS = new Set(readmeCommands(readFileSync(join(ROOT, 'README.md'), 'utf8')));

function readme(cmd: string): string {
  if (!COMMANDS.has(cmd)) throw new Error(`the README no longer shows: ${cmd}`);
  return cmd;
}

async function sh(script: string) {
  const p = Bun.spawn(['sh', '-c', script], { stdout: 'pipe', stderr: 'pipe' });
  const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
  const [stdout, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
  clearTimeout(timer);
  return { code, stdout };
}

test('the endpoint curl lines answer while the demo runs; Ctrl-C stops it cleanly', async () => {
  const port = await freePort();
  const demo = Bun.spawn([BUN, join(ROOT, 'scripts', 'demo.ts')], {
    env: { ...process.env, EDGELB_DEMO_HTTP_PORT: String(port) },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => demo.kill('SIGKILL'), 60_000);
  try {
    const reader = demo.stdout.getReader();
    let out = '';
    while (!out.includes(`http://127.0.0.1:${port}/status`)) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`the demo ended before printing its endpoints:\n${out}`);
      out += new TextDecoder().decode(chunk.value);
    }
    reader.releaseLock();
    const at = (cmd: string) => readme(cmd).replaceAll('127.0.0.1:9180', `127.0.0.1:${port}`);
    const ready = await sh(at('curl -s http://127.0.0.1:9180/readyz'));
    expect(ready).toEqual({ code: 0, stdout: '{"ready":true}' });
    const up = await sh(at('curl -s http://127.0.0.1:9180/metrics | grep edgelb_bgp_session_up'));
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^edgelb_bgp_session_up\{peer="127\.0\.0\.1(:1179)?"\} 1$/m);
    demo.kill('SIGINT');
    expect(await demo.exited).toBe(0);
  } finally {
    clearTimeout(timer);
    demo.kill('SIGKILL');
  }
}, 90_000);
