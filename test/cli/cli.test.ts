import { afterAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { missing } from '../support/env.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgelb-cli-'));
const procs: ReturnType<typeof spawnCli>[] = [];
afterAll(() => {
  for (const p of procs) p.kill();
});

function filesConfig(port: number, extra = ''): string {
  const p = join(dir, `config-${port}.yaml`);
  const manifests = join(dir, `manifests-${port}`);
  spawnSync('mkdir', ['-p', manifests]);
  writeFileSync(
    p,
    `source: files\nnodeName: test-node\nfiles:\n  manifests: ${manifests}\n  state: ${join(dir, `state-${port}.json`)}\nhttp:\n  listen: 127.0.0.1:${port}\nlog:\n  level: debug\n${extra}`,
  );
  return p;
}

describe('command line', () => {
  test('no command prints usage to stderr and exits 2', () => {
    const r = runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: edgelb <command>');
  });

  test('an unknown command or flag prints usage to stderr and exits 2', () => {
    const a = runCli(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('unknown command "frobnicate"');
    const b = runCli(['check-config', '--nope']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('unknown option --nope');
    expect(b.stderr).toContain('Usage: edgelb check-config');
  });

  test('every command has --help on stdout with exit 0', () => {
    for (const c of ['run', 'status', 'check-config', 'version']) {
      const r = runCli([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: edgelb ${c}`);
    }
  });

  test('version prints version, commit and target', () => {
    const r = runCli(['version', '--json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(Object.keys(v).sort()).toEqual(['commit', 'runtime', 'target', 'version']);
  });

  test('a wrong type, an unknown key and a bad CIDR: run exits 78, check-config exits 1, both name all three', () => {
    const p = join(dir, 'bad.yaml');
    writeFileSync(
      p,
      'bgp:\n  listenPort: "x"\n  nodeAddressCIDR: 10.1.0.0/40\nhtpp:\n  listen: 127.0.0.1:1\n',
    );
    const run = runCli(['run', '--config', p]);
    expect(run.code).toBe(78);
    const check = runCli(['check-config', '--config', p]);
    expect(check.code).toBe(1);
    for (const out of [run.stderr, check.stderr]) {
      expect(out).toContain('bgp.listenPort: must be an integer 0..65535, got "x"');
      expect(out).toContain('bgp.nodeAddressCIDR:');
      expect(out).toContain('htpp: unknown key (did you mean "http"?)');
      expect(out).not.toContain('    at '); // no stack trace for bad input
    }
  });

  test('check-config accepts a valid file and a missing one', () => {
    const p = join(dir, 'good.yaml');
    writeFileSync(p, 'source: files\nbgp:\n  listenPort: 179\n');
    expect(runCli(['check-config', '--config', p])).toMatchObject({ code: 0, stdout: `${p}: ok\n` });
    expect(runCli(['check-config', '--config', join(dir, 'absent.yaml')]).code).toBe(0);
  });

  test('status exits 2 when the endpoint cannot be reached', async () => {
    const port = await freePort();
    const r = runCli(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot reach http://127.0.0.1:${port}/status`);
  });
});

describe('edgelb run', () => {
  test('serves /healthz, /metrics that promtool accepts, /status; SIGTERM exits 0 quickly', async () => {
    const why = missing({ tools: ['promtool'] });
    const port = await freePort();
    const p = spawnCli(['run', '--config', filesConfig(port)]);
    procs.push(p);
    const base = `http://127.0.0.1:${port}`;
    const health = await waitFor('/healthz', async () => {
      const r = await fetch(`${base}/healthz`);
      return r.status === 200 ? r : undefined;
    });
    expect(await health.text()).toBe('ok\n');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^edgelb_build_info\{version="[^"]+",commit="[^"]+",target="[^"]+"\} 1$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(metrics).toMatch(/^process_open_fds \d+$/m);
    if (!why) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe('');
      expect(check.status).toBe(0);
    }
    const status = (await (await fetch(`${base}/status`)).json()) as {
      node: string;
      source: { kind: string };
    };
    expect(status.node).toBe('test-node');
    expect(status.source.kind).toBe('files');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('a port in use gives a clear error and exit 1', async () => {
    const blocker = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('x') });
    try {
      const r = runCli(['run', '--config', filesConfig(blocker.port!)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `http.listen: 127.0.0.1:${blocker.port} is already in use by another process`,
      );
    } finally {
      blocker.stop(true);
    }
  });

  test('sends READY=1 and STOPPING=1 to NOTIFY_SOCKET', async () => {
    const why = missing({ tools: ['python3'] });
    if (why) return;
    const sock = join(dir, 'notify.sock');
    const out = join(dir, 'notify.out');
    const receiver = Bun.spawn(
      [
        'python3',
        '-c',
        `import socket,sys
s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(15)
f=open(sys.argv[2],'w')
for _ in range(2):
  f.write(s.recv(4096).decode()+'\\n---\\n'); f.flush()`,
        sock,
        out,
      ],
      { stdout: 'ignore', stderr: 'inherit' },
    );
    try {
      await waitFor('notify socket', () => (existsSync(sock) ? true : undefined));
      const port = await freePort();
      const p = spawnCli(['run', '--config', filesConfig(port)], { NOTIFY_SOCKET: sock });
      procs.push(p);
      await waitFor('READY=1', async () =>
        (
          await Bun.file(out)
            .text()
            .catch(() => '')
        ).includes('READY=1')
          ? true
          : undefined,
      );
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      await waitFor('STOPPING=1', async () =>
        (await Bun.file(out).text()).includes('STOPPING=1') ? true : undefined,
      );
    } finally {
      receiver.kill('SIGKILL');
    }
  }, 20_000);
});
