/**
 * The control socket (agent/control/): mode 0660, one request per connection, the CLI's clear
 * errors (no agent, no permission), a second concurrent drain refused over the socket, and a
 * live socket never taken over by a second agent.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../../agent/control/client.ts';
import { parseRequest } from '../../agent/control/protocol.ts';
import { type ControlServer, groupId, SOCKET_MODE, startControlServer } from '../../agent/control/server.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Maintenance } from '../../agent/reconcile/maintenance.ts';
import { BUN, MAIN } from '../support/cli.ts';
import { IS_ROOT } from '../support/env.ts';

const dirs: string[] = [];
const servers: ControlServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'edgelb-control-'));
  chmodSync(d, 0o755);
  dirs.push(d);
  return d;
}

async function cli(args: string[], asNobody = false) {
  const cmd = [BUN, MAIN, ...args];
  const p = Bun.spawn(
    asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...cmd] : cmd,
    {
      stdout: 'pipe',
      stderr: 'pipe',
    },
  );
  const [code, stdout, stderr] = await Promise.all([
    p.exited,
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
  ]);
  return { code, stdout, stderr };
}

/** A Maintenance whose single peer acknowledges only when told. */
function maintenance(dir: string) {
  let queue: { peer: string; bytes: number | undefined }[] = [];
  const m: Maintenance = new Maintenance({
    clock: systemClock,
    store: {
      load: () => ({ ok: true, value: { drained: false } }),
      save: (r) => {
        writeFileSync(join(dir, 'drained.json'), JSON.stringify(r));
        return { ok: true };
      },
    },
    apply: async () => {
      if (m.drained) queue = [{ peer: '192.0.2.1:179', bytes: 19 }];
    },
    speaker: () => ({ unacknowledged: () => queue }),
    withholds: () => (m.drained ? [{ reason: 'NodeDrained', message: 'drained' }] : []),
    settleMs: 0,
    timeoutMs: 5000,
    log: memoryLogger(),
  });
  return { m, ack: () => (queue = []) };
}

describe('protocol', () => {
  test('requests are checked', () => {
    expect(parseRequest('{"command":"drain","settleSeconds":2}')).toEqual({
      ok: true,
      value: { command: 'drain', settleSeconds: 2 },
    });
    expect(parseRequest('{"command":"drain","settleSeconds":-1}')).toMatchObject({ ok: false });
    expect(parseRequest('{"command":"reboot"}')).toMatchObject({
      ok: false,
      message: expect.stringContaining('unknown command'),
    });
    expect(parseRequest('nope')).toMatchObject({ ok: false });
  });
});

describe('control socket', () => {
  test('mode 0660; a drain over it waits for the acknowledgement; a second one meanwhile is Busy', async () => {
    const dir = tmp();
    const path = join(dir, 'control.sock');
    const { m, ack } = maintenance(dir);
    servers.push(await startControlServer({ path, handle: (r) => m.handle(r) }));
    expect(statSync(path).mode & 0o777).toBe(SOCKET_MODE);
    let first: unknown;
    const p = request(path, { command: 'drain' }, 5000).then((r) => {
      first = r;
    });
    await Bun.sleep(100);
    expect(first).toBeUndefined();
    const second = await request(path, { command: 'drain' }, 5000);
    expect(second).toMatchObject({ ok: true, response: { ok: false, code: 'Busy' } });
    ack();
    await p;
    expect(first).toMatchObject({ ok: true, response: { ok: true, state: { drained: true } } });
    const state = await request(path, { command: 'maintenance' }, 5000);
    expect(state).toMatchObject({
      ok: true,
      response: { ok: true, state: { drained: true, reasons: [{ reason: 'NodeDrained' }] } },
    });
  });

  test('a live socket is not taken over by a second agent; a stale one is replaced', async () => {
    const dir = tmp();
    const path = join(dir, 'control.sock');
    const { m } = maintenance(dir);
    const s = await startControlServer({ path, handle: (r) => m.handle(r) });
    servers.push(s);
    await expect(startControlServer({ path, handle: (r) => m.handle(r) })).rejects.toThrow(
      /in use: another edgelb agent/,
    );
    // a stale socket file (the agent died): bound by a process that is gone
    const stale = join(dir, 'stale.sock');
    const gone = Bun.listen({ unix: stale, socket: { data() {} } });
    gone.stop(true);
    const again = await startControlServer({ path: stale, handle: (r) => m.handle(r) });
    servers.push(again);
    expect(await request(stale, { command: 'maintenance' }, 2000)).toMatchObject({ ok: true });
  });

  test('a path that is not a socket is refused, and left alone', async () => {
    const dir = tmp();
    const path = join(dir, 'control.sock');
    writeFileSync(path, 'not a socket');
    const { m } = maintenance(dir);
    await expect(startControlServer({ path, handle: (r) => m.handle(r) })).rejects.toThrow(
      /exists and is not a socket/,
    );
    expect(readFileSync(path, 'utf8')).toBe('not a socket');
  });

  test('groupId reads /etc/group', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'group'), 'root:x:0:\nedgelb:x:987:alice\n');
    expect(groupId('edgelb', join(dir, 'group'))).toBe(987);
    expect(groupId('nobody-here', join(dir, 'group'))).toBeUndefined();
  });
});

describe('edgelb drain / undrain', () => {
  test('no agent: a clear error naming the socket, exit 1', async () => {
    const dir = tmp();
    const cfg = join(dir, 'config.yaml');
    writeFileSync(cfg, `control:\n  socket: ${join(dir, 'control.sock')}\n`);
    const r = await cli(['drain', '--config', cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `no control socket at ${join(dir, 'control.sock')}: is the edgelb agent running`,
    );
  }, 20_000);

  test('bad arguments are usage errors', async () => {
    const r = await cli(['drain', '--settle', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--settle must be a number of seconds');
  }, 20_000);

  test.skipIf(!IS_ROOT)(
    'a user outside root and the edgelb group: permission denied, nothing drained',
    async () => {
      const dir = tmp();
      const path = join(dir, 'control.sock');
      const cfg = join(dir, 'config.yaml');
      writeFileSync(cfg, `control:\n  socket: ${path}\n`);
      chmodSync(cfg, 0o644);
      const { m } = maintenance(dir);
      servers.push(await startControlServer({ path, handle: (r) => m.handle(r) }));
      const r = await cli(['drain', '--config', cfg], true);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`permission denied on the control socket ${path}`);
      expect(r.stderr).toContain('edgelb group');
      expect(m.drained).toBe(false);
      // root may, through the CLI: undrain of an undrained node is a no-op answer
      const ok = await cli(['undrain', '--config', cfg]);
      expect(ok).toMatchObject({ code: 0, stdout: 'not drained: nothing to do\n' });
    },
    30_000,
  );
});

describe('the unit provides the socket directory', () => {
  test('RuntimeDirectory=edgelb (0750) holds the default control.socket', async () => {
    const unit = readFileSync(join(import.meta.dir, '..', '..', 'systemd', 'edgelb.service'), 'utf8');
    expect(unit).toMatch(/^RuntimeDirectory=edgelb$/m);
    expect(unit).toMatch(/^RuntimeDirectoryMode=0750$/m);
    const { defaultConfig } = await import('../../agent/config/schema.ts');
    expect(defaultConfig().control.socket).toBe('/run/edgelb/control.sock');
  });
});
