/** The standalone process (main.ts) used by end-to-end tests inside network namespaces. */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../support/apiserver/http-client.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

const MAIN = join(import.meta.dir, '..', 'support', 'apiserver', 'main.ts');
const started: { kill(sig?: number | NodeJS.Signals): void; exited: Promise<number> }[] = [];
afterAll(async () => {
  for (const p of started) p.kill('SIGKILL');
});

async function firstLine(stream: ReadableStream<Uint8Array>, ms: number): Promise<string> {
  const reader = stream.getReader();
  let buf = '';
  const deadline = Date.now() + ms;
  while (!buf.includes('\n')) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no ready line within ${ms} ms: ${buf}`);
    const r = await Promise.race([reader.read(), Bun.sleep(left).then(() => undefined)]);
    if (!r) continue;
    if (r.done) throw new Error(`process exited before ready: ${buf}`);
    buf += new TextDecoder().decode(r.value);
  }
  reader.releaseLock();
  return buf.slice(0, buf.indexOf('\n'));
}

describe('standalone test API server', () => {
  test('prints its paths as one JSON line, serves token clients, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-apiserver-main-'));
    const proc = Bun.spawn([process.execPath, MAIN, '--listen', '127.0.0.1:0', '--dir', dir], {
      stdout: 'pipe',
      stderr: 'pipe',
    });
    started.push(proc);
    const info = JSON.parse(await firstLine(proc.stdout, 10_000));
    expect(info.dir).toBe(dir);
    expect(info.pid).toBe(proc.pid);
    expect(readFileSync(info.kubeconfigTokenFile, 'utf8')).toContain(info.url);
    const token = readFileSync(info.tokenFile, 'utf8').trim();
    const r = await fetch(`${info.url}/api/v1/namespaces/kube-system`, {
      headers: { authorization: `Bearer ${token}` },
      tls: { ca: readFileSync(info.caFile, 'utf8') },
    } as RequestInit);
    expect(r.status).toBe(200);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });
});

// Some containers run without IPv6; the loopback address is then simply not there.
const hasV6Loopback = (() => {
  try {
    return /^0{31}1 /m.test(readFileSync('/proc/net/if_inet6', 'utf8'));
  } catch {
    return false;
  }
})();

describe.skipIf(!hasV6Loopback)('listening on IPv6', () => {
  let srv: TestApiServer | undefined;
  afterAll(async () => {
    await srv?.stop();
  });
  test('::1 works with a certificate that names it', async () => {
    srv = await startApiServer({ host: '::1' });
    expect(srv.url).toMatch(/^https:\/\/\[::1\]:\d+$/);
    expect((await call(srv, 'GET', '/version')).body.major).toBe('1');
  });
});
