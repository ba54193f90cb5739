/**
 * Permission rules: a config file or kubeconfig that group or others can write is refused
 * (exit 78 naming the file and the chmod to run); a kubeconfig others can read while it holds a
 * credential is used with a warning.
 */
import { describe, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../agent/config/load.ts';
import { formatProblem } from '../../agent/config/schema.ts';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { UserError } from '../../agent/lib/errors.ts';
import { octalMode, readableWarning, writableProblem } from '../../agent/lib/file-mode.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgelb-perm-'));

function file(name: string, text: string, mode: number): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode); // explicit: the umask does not decide the test
  return p;
}

function kubeconfig(user: Record<string, string>): string {
  return `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}}]
users: [{name: u, user: ${JSON.stringify(user)}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;
}

function loadError(f: () => unknown): UserError {
  try {
    f();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('the mode rules', () => {
  test('any group or other write bit is refused, and the message says which and what to run', () => {
    expect(writableProblem('/f', 0o100644)).toBeUndefined();
    expect(writableProblem('/f', 0o100640)).toBeUndefined();
    expect(writableProblem('/f', 0o100600)).toBeUndefined();
    expect(writableProblem('/f', 0o100664)).toBe(
      'group can write it (mode 0664); refusing to use it: run `chmod go-w /f`',
    );
    expect(writableProblem('/f', 0o100646)).toStartWith('others can write it (mode 0646)');
    expect(writableProblem('/f', 0o100666)).toStartWith('group and others can write it (mode 0666)');
    expect(readableWarning('/f', 0o100640)).toBeUndefined();
    expect(readableWarning('/f', 0o100604)).toContain('run `chmod o-r /f`');
    expect(octalMode(0o100007)).toBe('0007');
  });
});

describe('config file', () => {
  test.each([0o666, 0o664, 0o646, 0o622])('mode %o is an invalid configuration naming the chmod', (mode) => {
    const p = file(`config-${mode.toString(8)}.yaml`, 'source: files\n', mode);
    const r = loadConfig(p);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatProblem(r.problems[0]!)).toContain(`${p}: the config file: `);
    expect(formatProblem(r.problems[0]!)).toContain(`run \`chmod go-w ${p}\``);
  });

  test.each([0o600, 0o640, 0o644])('mode %o is accepted', (mode) => {
    const p = file(`config-ok-${mode.toString(8)}.yaml`, 'source: files\n', mode);
    expect(loadConfig(p).ok).toBe(true);
  });

  test('`edgelb run` exits 78 (EX_CONFIG, as any invalid configuration) and check-config 1', () => {
    const p = file('run.yaml', 'source: files\n', 0o666);
    const run = runCli(['run', '--config', p]);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain(`chmod go-w ${p}`);
    const check = runCli(['check-config', '--config', p]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('group and others can write it (mode 0666)');
  });
});

describe('kubeconfig', () => {
  test('group- or world-writable: refused with exit code 78, naming the file and the chmod', () => {
    for (const mode of [0o666, 0o620, 0o602]) {
      const p = file(`kc-w-${mode.toString(8)}.yaml`, kubeconfig({ token: 'abc' }), mode);
      const e = loadError(() => loadKubeconfig({ path: p }));
      expect(e.exitCode).toBe(78);
      expect(e.message).toStartWith(`kubeconfig ${p}: `);
      expect(e.message).toContain(`chmod go-w ${p}`);
    }
  });

  test('world-readable with a token or a client key: used, with a warning naming the chmod', () => {
    const log = memoryLogger('warn');
    const p = file('kc-r-token.yaml', kubeconfig({ token: 'abc' }), 0o644);
    const ep = loadKubeconfig({ path: p, log });
    expect(ep.warnings).toEqual([
      `kubeconfig ${p}: others can read it (mode 0644) and it holds a credential: run \`chmod o-r ${p}\``,
    ]);
    expect(log.lines.some((l) => l.includes(`chmod o-r ${p}`))).toBe(true);
    const b = file('kc-r-basic.yaml', kubeconfig({ username: 'u', password: 'p' }), 0o604);
    expect(loadKubeconfig({ path: b }).warnings?.[0]).toContain('mode 0604');
  });

  test('a token file others can read is warned about too, by name', () => {
    const tok = file('token', 'abc\n', 0o644);
    const p = file('kc-tokenfile.yaml', kubeconfig({ tokenFile: tok }), 0o600);
    const w = loadKubeconfig({ path: p }).warnings ?? [];
    expect(w).toEqual([
      `kubeconfig ${p}: its tokenFile ${tok}: others can read it (mode 0644) and it holds a credential: run \`chmod o-r ${tok}\``,
    ]);
  });

  test('0600, 0640, or readable but without a credential: no warning', () => {
    for (const mode of [0o600, 0o640]) {
      const p = file(`kc-ok-${mode.toString(8)}.yaml`, kubeconfig({ token: 'abc' }), mode);
      expect(loadKubeconfig({ path: p }).warnings).toBeUndefined();
    }
    const none = file('kc-none.yaml', kubeconfig({}), 0o644);
    expect(loadKubeconfig({ path: none }).warnings).toBeUndefined();
  });
});
