/**
 * The unit under a real systemd: a Debian bookworm root (debootstrap, cached in .tmp/nspawn/)
 * booted with systemd-nspawn (test/support/nspawn.ts) on a private, loopback-only network.
 * The real release (scripts/build.sh for this machine's target, cached by its inputs) is
 * served from a file server running in the container's network namespace, and the real
 * `curl -sfL URL/install.sh | sh -` runs inside, so install.sh's own systemctl calls start
 * the service. Then: READY (and how long it took), /healthz, keep-alives from a healthy
 * agent, a SIGSTOPped agent restarted by the watchdog (and how long it took), a bad config
 * exiting 78 without a restart loop, a clean stop, and a poweroff of the machine, which the
 * agent tells from a service stop (`systemctl is-system-running` says "stopping" from inside
 * its sandbox) and answers by withdrawing every announcement.
 * Needs root, debootstrap, systemd-nspawn, nsenter; run it under the lab lock:
 *   flock /work/notes/lab.lock node_modules/.bin/bun test test/install/systemd-boot.test.ts
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUN } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { Container, copyRoot, debianRoot } from '../support/nspawn.ts';
import { type Proc, run, sleep, waitFor } from '../support/proc.ts';
import { builtBinary, installTarget, writeRelease } from './release.ts';

const why = missing({ root: true, tools: ['debootstrap', 'systemd-nspawn', 'nsenter', 'xz', 'curl'] });
const UNIT = 'edgelb.service';
const HEALTHZ = 'http://127.0.0.1:9180/healthz';
const WATCHDOG_S = 10;
const RESTART_SEC_S = 5;
const SETUP_TIMEOUT_MS = 1_800_000;

const work = mkdtempSync(join(tmpdir(), 'edgelb-nspawn-test-'));
let box: Container | undefined;
let server: Proc | undefined;
let port = 0;
const figures: string[] = [];
const say = (s: string) => {
  figures.push(s);
  console.log(`systemd-boot: ${s}`);
};

async function show(props: string[]) {
  return box!.show(UNIT, props);
}

async function healthz(): Promise<string> {
  const r = await box!.exec(['curl', '-sS', '--max-time', '2', '-o', '-', '-w', '\n%{http_code}', HEALTHZ], {
    allowFail: true,
  });
  return r.stdout.trim().split('\n').at(-1) ?? '';
}

async function journal(): Promise<string> {
  return (await box!.exec(['journalctl', '--no-pager', '-o', 'cat', '-u', UNIT], { allowFail: true })).stdout;
}

/** Waits until the unit is active with a main PID other than `not`; returns that PID. */
async function activeWithNewPid(not: string, timeoutMs: number): Promise<string> {
  return waitFor(
    `${UNIT} active again with a new main PID`,
    async () => {
      const p = await show(['ActiveState', 'MainPID']);
      return p.ActiveState === 'active' && p.MainPID !== '0' && p.MainPID !== not ? p.MainPID : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

describe.skipIf(!!why)('the unit under a real systemd (systemd-nspawn)', () => {
  beforeAll(async () => {
    const target = installTarget();
    const [base, bin] = await Promise.all([debianRoot(), builtBinary(target)]);
    say(
      `root ${base.builtMs === undefined ? 'from the cache' : `built in ${(base.builtMs / 1000).toFixed(0)} s`}, ` +
        `binary ${bin.builtMs === undefined ? 'from the cache' : `built in ${(bin.builtMs / 1000).toFixed(0)} s`}`,
    );
    writeRelease(bin.dir, target, join(work, 'release'));
    const root = await copyRoot(base.path, join(work, 'root'));
    const t0 = performance.now();
    box = await Container.boot({ root, machine: 'edgelbtest', logPath: join(work, 'console.log') });
    say(`container booted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The release, on the container's own loopback (its network is private).
    server = box.inNet(
      [BUN, join(import.meta.dir, '..', 'support', 'static-server-main.ts'), join(work, 'release'), '0'],
      {
        name: 'release-server',
        pipe: true,
      },
    );
    const reader = (server.child.stdout as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    port = Number(/port (\d+)/.exec(new TextDecoder().decode(value))?.[1]);
    if (!port) throw new Error('the release server did not report its port');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await server?.stop();
    await box?.stop();
    rmSync(work, { recursive: true, force: true });
    if (figures.length) console.log(`systemd-boot figures:\n  ${figures.join('\n  ')}`);
  }, 60_000);

  test('install.sh from a local server installs, enables and starts it; READY; /healthz', async () => {
    const url = `http://127.0.0.1:${port}`;
    const inst = await box!.sh(`curl -sfL ${url}/install.sh | sh -`, {
      timeoutMs: 120_000,
      allowFail: true,
      env: { EDGELB_DOWNLOAD_URL: url, EDGELB_SOURCE: 'files', EDGELB_NODE_NAME: 'nspawn-node' },
    });
    expect(inst.stderr).toContain('edgelb is running');
    expect(inst.code).toBe(0);
    expect((await box!.exec(['systemctl', 'is-enabled', UNIT], { allowFail: true })).stdout.trim()).toBe(
      'enabled',
    );
    const p = await show([
      'ActiveState',
      'SubState',
      'StatusText',
      'ExecMainStartTimestampMonotonic',
      'ActiveEnterTimestampMonotonic',
      'WatchdogUSec',
      'NRestarts',
      'MemoryCurrent',
      'TasksCurrent',
    ]);
    expect(p.ActiveState).toBe('active');
    expect(p.SubState).toBe('running');
    // Type=notify: active means READY=1 arrived; the STATUS= line came with it.
    expect(p.StatusText).toStartWith('serving http://127.0.0.1:9180');
    expect(p.WatchdogUSec).toBe(`${WATCHDOG_S}s`);
    const readyMs =
      (Number(p.ActiveEnterTimestampMonotonic) - Number(p.ExecMainStartTimestampMonotonic)) / 1000;
    expect(readyMs).toBeGreaterThan(0);
    say(`time to READY (exec to active): ${readyMs.toFixed(0)} ms`);
    say(`just started: MemoryCurrent ${p.MemoryCurrent}, TasksCurrent ${p.TasksCurrent}`);
    expect(await healthz()).toBe('200');
    expect(await journal()).toContain('systemd watchdog enabled');
  }, 180_000);

  test('a healthy agent keeps the watchdog fed: no restart over 1.5 timeouts', async () => {
    const before = await show(['MainPID', 'NRestarts']);
    await sleep(WATCHDOG_S * 1500);
    const after = await show(['MainPID', 'NRestarts', 'ActiveState', 'MemoryCurrent', 'TasksCurrent']);
    expect(after.ActiveState).toBe('active');
    expect(after.MainPID).toBe(before.MainPID);
    expect(after.NRestarts).toBe(before.NRestarts);
    const metrics = await box!.exec(['curl', '-sf', 'http://127.0.0.1:9180/metrics']);
    const sent = Number(
      /^edgelb_watchdog_keepalives_total\{result="sent"\} (\d+)/m.exec(metrics.stdout)?.[1],
    );
    expect(sent).toBeGreaterThanOrEqual(3);
    say(
      `after ${WATCHDOG_S * 1.5} s: ${sent} keep-alives, MemoryCurrent ${after.MemoryCurrent}, TasksCurrent ${after.TasksCurrent}`,
    );
  }, 60_000);

  test('SIGSTOP of the agent: the watchdog aborts it and systemd restarts it', async () => {
    const before = await show(['MainPID', 'NRestarts']);
    const mainPid = before.MainPID ?? '0';
    expect(mainPid).not.toBe('0');
    const t0 = performance.now();
    await box!.sh(`kill -STOP ${mainPid}`); // the shell's kill: minbase has no procps
    const pid = await activeWithNewPid(mainPid, 60_000);
    const restartS = (performance.now() - t0) / 1000;
    const after = await show(['NRestarts']);
    expect(Number(after.NRestarts)).toBe(Number(before.NRestarts) + 1);
    expect(await journal()).toMatch(/Watchdog timeout/);
    // Not before the watchdog's limit and the restart delay.
    expect(restartS).toBeGreaterThanOrEqual(WATCHDOG_S + RESTART_SEC_S - 1);
    say(
      `SIGSTOP to active again (new PID ${pid}): ${restartS.toFixed(1)} s (WatchdogSec=${WATCHDOG_S}, RestartSec=${RESTART_SEC_S})`,
    );
    await waitFor('/healthz 200 after the restart', async () => (await healthz()) === '200', {
      timeoutMs: 10_000,
    });
  }, 90_000);

  test('a bad config exits 78 and is not restarted', async () => {
    const config = '/etc/edgelb/config.yaml';
    await box!.exec(['cp', '-p', config, `${config}.good`]);
    await box!.exec(['sh', '-c', `printf 'source: bogus\\n' > ${config}`]);
    const r = await box!.exec(['systemctl', 'restart', UNIT], { allowFail: true });
    expect(r.code).not.toBe(0);
    // Longer than RestartSec: a restart loop would have started again by now.
    await sleep((RESTART_SEC_S + 3) * 1000);
    const p = await show(['ActiveState', 'Result', 'ExecMainCode', 'ExecMainStatus', 'NRestarts']);
    expect(p).toMatchObject({ ActiveState: 'failed', Result: 'exit-code', ExecMainStatus: '78' });
    // A manual restart zeroes NRestarts; none automatic since, and one start attempt only.
    expect(p.NRestarts).toBe('0');
    expect((await journal()).match(/invalid configuration in/g)?.length).toBe(1);
    await box!.exec(['mv', `${config}.good`, config]);
    await box!.exec(['systemctl', 'reset-failed', UNIT]);
    await box!.exec(['systemctl', 'start', UNIT], { timeoutMs: 60_000 });
    expect((await show(['ActiveState'])).ActiveState).toBe('active');
  }, 60_000);

  test('a stop is clean: exit 0, result success, within a few seconds', async () => {
    const t0 = performance.now();
    await box!.exec(['systemctl', 'stop', UNIT], { timeoutMs: 60_000 });
    const stopS = (performance.now() - t0) / 1000;
    const p = await show(['ActiveState', 'Result', 'ExecMainCode', 'ExecMainStatus']);
    if (p.ActiveState !== 'inactive') console.log((await journal()).slice(-3000));
    expect(p).toMatchObject({ ActiveState: 'inactive', Result: 'success', ExecMainStatus: '0' });
    expect(stopS).toBeLessThan(10);
    const log = await journal();
    expect(log).toContain('"stopped"');
    // A service stop is not a shutdown: the configured bgp.shutdown applies.
    expect(log).toMatch(/"stopping".*"bgpShutdown":"(keep|withdraw)"/);
    expect(log).not.toContain('system shutting down');
    say(`systemctl stop: ${stopS.toFixed(2)} s`);
  }, 60_000);

  test('a poweroff of the machine: the agent sees systemd stopping and withdraws (read from the journal after)', async () => {
    // A persistent journal, so the agent's last lines outlive the container.
    await box!.exec(['mkdir', '-p', '/var/log/journal']);
    await box!.exec(['journalctl', '--flush']);
    await box!.exec(['systemctl', 'start', UNIT], { timeoutMs: 60_000 });
    await waitFor('/healthz 200 before the poweroff', async () => (await healthz()) === '200', {
      timeoutMs: 20_000,
    });
    // The agent's user can ask systemd over D-Bus (what the agent does at its stop).
    const asAgent = await box!.exec(['runuser', '-u', 'edgelb', '--', 'systemctl', 'is-system-running'], {
      allowFail: true,
    });
    expect(asAgent.stdout.trim(), asAgent.stderr).toMatch(/^(running|degraded)$/);
    const t0 = performance.now();
    await box!.stop();
    expect(box!.nspawn.running()).toBe(false);
    say(`poweroff to the container gone: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const r = await run(
      [
        'journalctl',
        '--no-pager',
        '-o',
        'cat',
        '-D',
        join(work, 'root', 'var', 'log', 'journal'),
        '-u',
        UNIT,
      ],
      { allowFail: true },
    );
    const last = r.stdout.slice(r.stdout.lastIndexOf('"edgelb started"'));
    expect(last, r.stdout.slice(-3000)).toMatch(
      /"stopping".*"bgpShutdown":"withdraw \(system shutting down\)"/,
    );
    expect(last).toContain('"stopped"');
  }, 120_000);
});
