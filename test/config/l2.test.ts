/** The L2 heartbeat settings: defaults meet the < 3 s failover target, and renew must beat the lease. */
import { describe, expect, test } from 'bun:test';
import { defaultConfig, formatProblem, validateConfig } from '../../agent/config/schema.ts';

const problems = (input: unknown) => {
  const r = validateConfig(input);
  return r.ok ? [] : r.problems.map(formatProblem);
};

describe('l2 config', () => {
  test('defaults: a dead owner is replaced within lease + renew < 3 s; gratuitous every 60 s', () => {
    const l2 = defaultConfig().l2;
    expect(l2).toEqual({ leaseDurationSeconds: 2, renewIntervalSeconds: 0.5, gratuitousIntervalSeconds: 60 });
    expect(l2.leaseDurationSeconds + l2.renewIntervalSeconds).toBeLessThan(3);
    // at most 2 heartbeat writes per second per node
    expect(1 / l2.renewIntervalSeconds).toBeLessThanOrEqual(2);
  });

  test('accepts other values, fractional renew included', () => {
    const r = validateConfig({ l2: { leaseDurationSeconds: 5, renewIntervalSeconds: 1.5 } });
    expect(r.ok && r.config.l2).toEqual({
      leaseDurationSeconds: 5,
      renewIntervalSeconds: 1.5,
      gratuitousIntervalSeconds: 60,
    });
  });

  test('renew must be shorter than the lease; bounds are named', () => {
    expect(problems({ l2: { leaseDurationSeconds: 2, renewIntervalSeconds: 2 } })).toEqual([
      'l2.renewIntervalSeconds: must be less than leaseDurationSeconds (2), got 2',
    ]);
    expect(
      problems({
        l2: { leaseDurationSeconds: 1.5, renewIntervalSeconds: 0, gratuitousIntervalSeconds: 0, lease: 1 },
      }),
    ).toEqual([
      'l2.leaseDurationSeconds: must be an integer 1..3600, got 1.5',
      'l2.renewIntervalSeconds: must be a number of seconds 0.1..3600, got 0',
      'l2.gratuitousIntervalSeconds: must be an integer 1..86400, got 0',
      'l2.lease: unknown key (did you mean "leaseDurationSeconds"?)',
    ]);
  });
});
