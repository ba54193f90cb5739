import { describe, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../agent/config/load.ts';
import { defaultConfig, formatProblem, validateConfig } from '../../agent/config/schema.ts';

function problems(input: unknown): string[] {
  const r = validateConfig(input);
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('config validation', () => {
  test('absent or empty config gives the documented defaults', () => {
    const r = validateConfig(undefined);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.http.listen).toBe('127.0.0.1:9180');
    expect(r.config.source).toBe('kubernetes');
    expect(r.config.kubernetes.leaderElection).toEqual({
      namespace: 'kube-system',
      leaseName: 'edgelb',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
    });
    expect(r.config.bgp.shutdown).toBe('withdraw');
    expect(validateConfig({})).toEqual(r);
  });

  test('values override defaults field by field', () => {
    const r = validateConfig({
      source: 'files',
      bgp: { listenPort: 179 },
      files: { nodeLabels: { peering: 'yes' } },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.bgp).toEqual({ ...defaultConfig().bgp, listenPort: 179 });
    expect(r.config.files.nodeLabels).toEqual({ peering: 'yes' });
    expect(r.config.files.state).toBe('/var/lib/edgelb/state.json');
  });

  test('every problem is reported at once with its path', () => {
    expect(
      problems({
        bgp: { listenPort: 'x', routerId: '300.1.1.1', nodeAddressCIDR: '10.0.0.0/33', shutdown: 'drop' },
        htpp: {},
        log: { level: 'verbose' },
      }),
    ).toEqual([
      'bgp.listenPort: must be an integer 0..65535, got "x"',
      'bgp.routerId: must be an IPv4 address (a BGP identifier), got "300.1.1.1"',
      'bgp.nodeAddressCIDR: must be a CIDR such as 192.168.2.0/24: "10.0.0.0/33" is not a valid CIDR: prefix length must be 0..32',
      'bgp.shutdown: must be one of withdraw, keep, got "drop"',
      'htpp: unknown key (did you mean "http"?)',
      'log.level: must be one of debug, info, warn, error, got "verbose"',
    ]);
  });

  test('unknown nested keys get a suggestion, unrelated ones do not', () => {
    expect(problems({ kubernetes: { leaderElection: { leaseDuration: 5 } } })).toEqual([
      'kubernetes.leaderElection.leaseDuration: unknown key (did you mean "leaseDurationSeconds"?)',
    ]);
    expect(problems({ zzzzzz: 1 })).toEqual(['zzzzzz: unknown key']);
  });

  test('type errors name what was given', () => {
    expect(problems({ http: { listen: 9180 } })).toEqual(['http.listen: must be "address:port", got 9180']);
    expect(problems({ http: { listen: 'localhost:9180' } })[0]).toContain(
      'http.listen: must be "address:port"',
    );
    expect(problems({ files: { nodeLabels: { a: 1 } } })).toEqual([
      'files.nodeLabels.a: must be a string, got 1',
    ]);
    expect(problems([1])).toEqual(['(top level): must be a mapping, got a list']);
    expect(validateConfig({ http: { listen: '[::1]:9180' } }).ok).toBe(true);
  });

  test('leader election timings follow client-go rules', () => {
    expect(
      problems({ kubernetes: { leaderElection: { leaseDurationSeconds: 10, renewDeadlineSeconds: 10 } } }),
    ).toEqual([
      'kubernetes.leaderElection.leaseDurationSeconds: must be greater than renewDeadlineSeconds (10), got 10',
    ]);
    expect(
      problems({ kubernetes: { leaderElection: { renewDeadlineSeconds: 2, retryPeriodSeconds: 2 } } }),
    ).toEqual([
      'kubernetes.leaderElection.renewDeadlineSeconds: must be greater than 1.2 × retryPeriodSeconds (2), got 2',
    ]);
  });
});

describe('config file loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-config-'));

  test('a missing file means the defaults', () => {
    const r = loadConfig(join(dir, 'nope.yaml'));
    expect(r.ok).toBe(true);
    expect(r.found).toBe(false);
  });

  test('invalid YAML names the file and line', () => {
    const p = join(dir, 'broken.yaml');
    writeFileSync(p, 'bgp:\n  listenPort: [1,\n');
    const r = loadConfig(p);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]!.path).toBe(p);
    expect(r.problems[0]!.message).toMatch(/^is not valid YAML at line \d+/);
  });

  test('an unreadable file is an error naming the path', () => {
    const r = loadConfig(dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatProblem(r.problems[0]!)).toBe(`${dir}: cannot read the config file: it is a directory`);
  });

  test('an unreadable-by-permission file is reported, not treated as missing', () => {
    const p = join(dir, 'secret.yaml');
    writeFileSync(p, 'source: files\n');
    chmodSync(p, 0o000);
    const r = loadConfig(p);
    // root reads anything; everyone else gets the permission error
    if (process.getuid?.() === 0) expect(r.ok).toBe(true);
    else expect(r.ok ? '' : r.problems[0]!.message).toBe('cannot read the config file: permission denied');
  });
});
