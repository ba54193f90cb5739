/** The README's first command: the demo runs from a fresh clone with no cluster and no root. */
import { expect, test } from 'bun:test';
import { join } from 'node:path';
import { BUN, freePort, ROOT } from '../support/cli.ts';

test('npm run demo: allocations, the routes the router holds, the endpoints, and a clean stop', async () => {
  const port = await freePort();
  const p = Bun.spawn([BUN, join(ROOT, 'scripts', 'demo.ts'), '--once'], {
    env: { ...process.env, EDGELB_DEMO_HTTP_PORT: String(port) },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), 45_000);
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  clearTimeout(timer);
  expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
  expect(out).toMatch(/ingress-nginx\/ingress-nginx-controller\s+172\.198\.1\.1\s+nginx-ingress/);
  expect(out).toMatch(/ingress-nginx\/ingress-nginx-internal\s+172\.198\.1\.2\s+nginx-ingress/);
  expect(out).toMatch(/127\.0\.0\.1:1179\s+65001\s+65000\s+Established/);
  expect(out).toContain('172.198.1.1/32 via 127.0.0.1 AS path 65001');
  expect(out).toContain('172.198.1.2/32 via 127.0.0.1 AS path 65001');
  expect(out).toContain(`http://127.0.0.1:${port}/metrics`);
}, 60_000);
