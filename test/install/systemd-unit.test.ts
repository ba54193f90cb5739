/**
 * systemd/edgelb.service: `systemd-analyze verify` is clean, `systemd-analyze security`
 * rates its exposure at most 2.0, and the settings the design promises are present.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missing } from '../support/env.ts';

const ROOT = join(import.meta.dir, '..', '..');
const UNIT = readFileSync(join(ROOT, 'systemd', 'edgelb.service'), 'utf8');
const why = missing({ tools: ['systemd-analyze'] });
const work = mkdtempSync(join(tmpdir(), 'edgelb-unit-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function analyze(args: string[]) {
  const r = Bun.spawnSync(['systemd-analyze', ...args], { stdout: 'pipe', stderr: 'pipe', cwd: work });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

/** The unit with ExecStart pointing at an existing executable, as verify requires. */
function unitWithBinary(name: string, unit = UNIT): string {
  const bin = join(work, 'edgelb');
  copyFileSync('/bin/true', bin);
  chmodSync(bin, 0o755);
  const path = join(work, name);
  writeFileSync(path, unit.replace(/^ExecStart=\/usr\/local\/bin\/edgelb /m, `ExecStart=${bin} `));
  return path;
}

function directives(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of unit.matchAll(/^([A-Za-z]+)=(.*)$/gm)) {
    const [, k, v] = m as unknown as [string, string, string];
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

describe.skipIf(!!why)('systemd/edgelb.service', () => {
  test('systemd-analyze verify is clean', () => {
    const r = analyze(['verify', unitWithBinary('edgelb.service')]);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  test('verify notices a broken unit (so the check above can fail)', () => {
    const r = analyze([
      'verify',
      unitWithBinary('edgelb.service', UNIT.replace('Type=notify', 'Type=bogus')),
    ]);
    expect(r.out).toContain('bogus');
  });

  test('systemd-analyze security --offline=true exposure is at most 2.0', () => {
    const r = analyze(['security', '--offline=true', unitWithBinary('edgelb.service')]);
    const m = /Overall exposure level for edgelb\.service: (\d+\.\d+)/.exec(r.out);
    expect(m).not.toBeNull();
    const score = Number(m?.[1]);
    console.log(`systemd-analyze security exposure: ${score}`);
    expect(score).toBeLessThanOrEqual(2.0);
  });

  test('has the settings the design promises', () => {
    const d = directives(UNIT);
    const one = (k: string) => d.get(k)?.join(' ');
    expect(one('Type')).toBe('notify');
    expect(one('ExecStart')).toBe('/usr/local/bin/edgelb run --config /etc/edgelb/config.yaml');
    expect(one('User')).toBe('edgelb');
    expect(one('AmbientCapabilities')).toBe('CAP_NET_BIND_SERVICE CAP_NET_RAW');
    expect(one('CapabilityBoundingSet')).toBe('CAP_NET_BIND_SERVICE CAP_NET_RAW');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('StateDirectory')).toBe('edgelb');
    expect(one('ConfigurationDirectory')).toBe('edgelb');
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('78');
    expect(one('RestrictAddressFamilies')).toBe('AF_INET AF_INET6 AF_UNIX AF_NETLINK AF_PACKET');
    expect(d.get('SystemCallFilter')).toEqual(['@system-service', '~@privileged @resources']);
    // Bun's JIT needs writable+executable memory.
    expect(d.has('MemoryDenyWriteExecute')).toBe(false);
  });

  test('has a watchdog and resource limits (a stuck loop is restarted, a leak is bounded)', () => {
    const d = directives(UNIT);
    const one = (k: string) => d.get(k)?.join(' ');
    expect(one('WatchdogSec')).toBe('10');
    // The agent pings at half the timeout; systemd needs the notify socket for the main PID.
    expect(one('Type')).toBe('notify');
    const mib = (v: string | undefined) => Number(/^(\d+)M$/.exec(v ?? '')?.[1]);
    const high = mib(one('MemoryHigh'));
    const max = mib(one('MemoryMax'));
    // Above the 10k-Service peak of bench:agent (README), MemoryMax above MemoryHigh.
    expect(high).toBeGreaterThanOrEqual(160);
    expect(max).toBeGreaterThan(high);
    expect(Number(one('TasksMax'))).toBeGreaterThanOrEqual(32);
  });

  test('verify rejects a bad WatchdogSec (so the check above means something)', () => {
    const r = analyze([
      'verify',
      unitWithBinary('edgelb.service', UNIT.replace('WatchdogSec=10', 'WatchdogSec=ten')),
    ]);
    expect(r.out).toContain('Failed to parse sec value');
  });
});
