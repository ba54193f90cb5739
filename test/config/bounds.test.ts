/** Config field bounds, each side of each limit (agent/config/schema.ts). */
import { describe, expect, test } from 'bun:test';
import { validateConfig } from '../../agent/config/schema.ts';

/** Sets `value` at dotted `path` on a minimal valid document. */
function doc(path: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = path.split('.');
  let o = out;
  for (const k of keys.slice(0, -1)) {
    o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys.at(-1) as string] = value;
  return out;
}

const ok = (path: string, value: unknown) => validateConfig(doc(path, value)).ok;

describe('config bounds', () => {
  test.each([
    ['bgp.listenPort', 0, 65535],
    ['l2.leaseDurationSeconds', 1, 3600],
    ['l2.gratuitousIntervalSeconds', 1, 86400],
  ])('%s is an integer %d..%d', (path, min, max) => {
    expect(ok(path, min)).toBe(true);
    expect(ok(path, max)).toBe(true);
    expect(ok(path, min - 1)).toBe(false);
    expect(ok(path, max + 1)).toBe(false);
    expect(ok(path, min + 0.5)).toBe(false);
  });

  test('leader election timings are integers 1..3600 (and keep client-go’s order)', () => {
    const le = (o: Record<string, number>) =>
      validateConfig({
        kubernetes: {
          leaderElection: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, ...o },
        },
      }).ok;
    expect(le({ leaseDurationSeconds: 3600 })).toBe(true);
    expect(le({ leaseDurationSeconds: 3601 })).toBe(false);
    expect(le({ leaseDurationSeconds: 3600, renewDeadlineSeconds: 3599 })).toBe(true);
    expect(le({ leaseDurationSeconds: 3600, renewDeadlineSeconds: 3601 })).toBe(false);
    expect(le({ retryPeriodSeconds: 1, renewDeadlineSeconds: 2, leaseDurationSeconds: 3 })).toBe(true);
    expect(le({ retryPeriodSeconds: 0 })).toBe(false);
    expect(le({ renewDeadlineSeconds: 0 })).toBe(false);
    expect(le({ retryPeriodSeconds: 3601 })).toBe(false);
    // 3600 is in range (the order rule is what refuses it)
    const r = validateConfig({ kubernetes: { leaderElection: { retryPeriodSeconds: 3600 } } });
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual([
      'kubernetes.leaderElection.renewDeadlineSeconds',
    ]);
    expect(le({ leaseDurationSeconds: 3600, renewDeadlineSeconds: 3500, retryPeriodSeconds: 3600 })).toBe(
      false,
    );
    // renewDeadline must exceed 1.2 × retryPeriod: 12 > 1.2 × 10 is false, 13 is enough
    expect(le({ renewDeadlineSeconds: 12, retryPeriodSeconds: 10, leaseDurationSeconds: 20 })).toBe(false);
    expect(le({ renewDeadlineSeconds: 13, retryPeriodSeconds: 10, leaseDurationSeconds: 20 })).toBe(true);
    expect(le({ renewDeadlineSeconds: 10, leaseDurationSeconds: 10 })).toBe(false);
    expect(le({ renewDeadlineSeconds: 10, leaseDurationSeconds: 11 })).toBe(true);
  });

  test('l2.renewIntervalSeconds: seconds 0.1..3600, below the lease duration', () => {
    const l2 = (renew: number, lease = 3600) =>
      validateConfig({ l2: { renewIntervalSeconds: renew, leaseDurationSeconds: lease } }).ok;
    expect(l2(0.1)).toBe(true);
    expect(l2(0.09)).toBe(false);
    expect(l2(0.5, 1)).toBe(true);
    expect(l2(1, 1)).toBe(false);
    expect(l2(3599.5)).toBe(true);
    expect(l2(3600.5)).toBe(false);
  });

  test('strings: an empty string is allowed where no value is required, refused where one is', () => {
    expect(ok('nodeName', '')).toBe(true);
    expect(ok('kubernetes.kubeconfig', '')).toBe(true);
    expect(ok('kubernetes.loadBalancerClass', '')).toBe(false);
    expect(ok('kubernetes.loadBalancerClass', 'x')).toBe(true);
    expect(ok('files.manifests', '')).toBe(false);
    expect(ok('nodeName', 3)).toBe(false);
  });

  test('http.listen: an address and a port 0..65535', () => {
    expect(ok('http.listen', '127.0.0.1:0')).toBe(true);
    expect(ok('http.listen', '127.0.0.1:65535')).toBe(true);
    expect(ok('http.listen', '127.0.0.1:65536')).toBe(false);
    expect(ok('http.listen', '[::1]:9180')).toBe(true);
    expect(ok('http.listen', 'localhost:9180')).toBe(false);
    expect(ok('http.listen', '127.0.0.1')).toBe(false);
  });
});

describe('config messages and defaults at the edges', () => {
  const paths = (input: unknown) => {
    const r = validateConfig(input);
    return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
  };

  test('leaseDurationSeconds 1 is in range; the order rule refuses it', () => {
    expect(paths({ kubernetes: { leaderElection: { leaseDurationSeconds: 1 } } })).toEqual([
      'kubernetes.leaderElection.leaseDurationSeconds: must be greater than renewDeadlineSeconds (10), got 1',
    ]);
    expect(paths({ kubernetes: { leaderElection: { retryPeriodSeconds: 3601 } } })).toEqual([
      'kubernetes.leaderElection.retryPeriodSeconds: must be an integer 1..3600, got 3601',
    ]);
  });

  test('bgp.routerId: IPv4 or empty', () => {
    expect(paths({ bgp: { routerId: '10.0.0.1' } })).toEqual([]);
    expect(paths({ bgp: { routerId: '' } })).toEqual([]);
    expect(paths({ bgp: { routerId: 'fd00::1' } })).toEqual([
      'bgp.routerId: must be an IPv4 address (a BGP identifier), got "fd00::1"',
    ]);
  });

  test('Services without a class are claimed by default', () => {
    const r = validateConfig({});
    expect(r.ok && r.config.kubernetes.claimServicesWithoutClass).toBe(true);
    expect(r.ok && r.config.kubernetes.loadBalancerClass).toBe('edgelb.io/bgp');
  });
});

describe('config shape', () => {
  test('a section that is not a mapping is refused; an empty value keeps the default', () => {
    const r = validateConfig({ bgp: [] });
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual(['must be a mapping, got a list']);
    expect(validateConfig('x').ok).toBe(false);
    expect(validateConfig({ bgp: null }).ok).toBe(true);
    const d = validateConfig({ bgp: { listenPort: null, shutdown: undefined } });
    expect(d.ok && d.config.bgp.listenPort).toBe(0);
    expect(d.ok && d.config.bgp.shutdown).toBe('withdraw');
  });
});
