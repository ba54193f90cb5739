// Usage errors in edgelb's words, `edgelb help <command>`, `status --config/--watch` and the
// unreachable-endpoint message.
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseErrorText } from '../../agent/cli/args.ts';
import { commands } from '../../agent/cli/commands.ts';
import { endpointFrom } from '../../agent/cli/status.ts';
import { freePort, runCli, spawnCli, waitFor } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgelb-wording-'));

describe('usage errors', () => {
  test('an unknown option is named with the closest real one', () => {
    const r = runCli(['status', '--jsn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith('edgelb status: unknown option --jsn (did you mean --json?)\n');
    expect(r.stderr).not.toContain("Unknown option '");
  });

  test('an option without its value, and a value given to a flag', () => {
    expect(runCli(['status', '--url']).stderr).toStartWith('edgelb status: option --url needs a value\n');
    expect(runCli(['version', '--json=yes']).stderr).toStartWith(
      'edgelb version: option --json takes no value\n',
    );
  });

  test('no undocumented short options: -c is refused, and every short option is in its usage', () => {
    expect(runCli(['check-config', '-c', '/x']).stderr).toContain('unknown option -c');
    for (const c of commands)
      for (const [name, o] of Object.entries(c.options ?? {}))
        if (o.short) expect(c.usage).toContain(`-${o.short}, --${name}`);
  });

  test('every option a command parses is in its usage', () => {
    for (const c of commands)
      for (const name of Object.keys(c.options ?? {})) expect(c.usage).toContain(`--${name}`);
  });

  test('an unknown command gets a did-you-mean', () => {
    const r = runCli(['statsu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "statsu" (did you mean "status"?)');
  });

  test('parseErrorText keeps a message it does not know', () => {
    expect(parseErrorText(new Error('something else'), {})).toBe('something else');
  });
});

describe('edgelb help <command>', () => {
  test("prints that command's usage on stdout, exit 0", { timeout: 60_000 }, () => {
    for (const c of commands) {
      const r = runCli(['help', c.name]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${c.usage}\n`);
    }
  });
  test('an unknown topic is a usage error', () => {
    const r = runCli(['help', 'stauts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(did you mean "status"?)');
  });
});

describe('edgelb status', () => {
  const docs: string[] = [];
  let server: ReturnType<typeof Bun.serve> | undefined;
  afterAll(() => server?.stop(true));

  // Only the fields `status --json` and the health check read.
  const statusDoc = { node: 'pi4', ready: true, problems: [], bgp: { peers: [] } };

  test('finds the endpoint from http.listen in --config (a wildcard listen means loopback)', async () => {
    const port = await freePort();
    server = Bun.serve({
      hostname: '127.0.0.1',
      port,
      fetch(req) {
        docs.push(new URL(req.url).pathname);
        return Response.json(statusDoc);
      },
    });
    const cfg = join(dir, 'config.yaml');
    writeFileSync(cfg, `http:\n  listen: 0.0.0.0:${port}\n`, { mode: 0o600 });
    // The server runs in this process: the CLI must run asynchronously beside it.
    const p = spawnCli(['status', '--config', cfg, '--json']);
    try {
      expect(await p.exited).toBe(0);
    } finally {
      p.kill();
    }
    expect(p.output().stderr).toBe('');
    expect(JSON.parse(p.output().stdout).node).toBe('pi4');
    expect(docs).toContain('/status');
  });

  test('--watch prints again until SIGINT, then exits 0', async () => {
    const port = server!.port;
    const p = spawnCli([
      'status',
      '--url',
      `http://127.0.0.1:${port}`,
      '--json',
      '--watch',
      '--interval',
      '0.5',
    ]);
    try {
      await waitFor('two frames', () =>
        (p.output().stdout.match(/\/status\n/g)?.length ?? 0) >= 2 ? true : undefined,
      );
      p.child.kill('SIGINT');
      expect(await p.exited).toBe(0);
    } finally {
      p.kill();
    }
  });

  test('--url and --config together, and a bad --interval, are usage errors', () => {
    expect(runCli(['status', '--url', 'http://x', '--config', '/x']).stderr).toContain(
      'give --url or --config, not both',
    );
    expect(runCli(['status', '--watch', '--interval', '0']).code).toBe(2);
  });

  test("an unreachable endpoint says what to check, in edgelb's words", async () => {
    const port = await freePort();
    const r = runCli(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot reach http://127.0.0.1:${port}/status`);
    expect(r.stderr).toContain('systemctl status edgelb');
    expect(r.stderr).toContain('http.listen');
    expect(r.stderr).not.toContain('Is the computer able to access the url');
  });
});

describe('endpointFrom', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-endpoint-'));
  test('the default config unreadable (here: a directory) means the default endpoint, saying why', () => {
    const e = endpointFrom({}, dir);
    expect(e.base).toBe('http://127.0.0.1:9180');
    expect(e.from).toContain('cannot read the config file');
  });
  test('an explicit --config that cannot be used is an error', () => {
    expect(() => endpointFrom({ config: dir })).toThrow(`${dir} is not a valid config`);
  });
  test('--url wins; a wildcard listen means loopback', () => {
    expect(endpointFrom({ url: 'http://10.0.0.1:9180/' })).toEqual({
      base: 'http://10.0.0.1:9180',
      from: '--url',
    });
    const cfg = join(dir, 'c.yaml');
    writeFileSync(cfg, 'http:\n  listen: "[::]:9199"\n', { mode: 0o600 });
    expect(endpointFrom({ config: cfg }).base).toBe('http://[::1]:9199');
  });
});
