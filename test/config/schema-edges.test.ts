/** Config validation edges: the exact bounds, non-numbers that are numbers (YAML .nan), and mappings that are not. */
import { expect, test } from 'bun:test';
import { type Problem, validateConfig } from '../../agent/config/schema.ts';

const problems = (input: unknown): Problem[] => {
  const r = validateConfig(input);
  return r.ok ? [] : r.problems;
};

test('a top-level scalar or list is not a config', () => {
  expect(problems(5)).toEqual([{ path: '(top level)', message: 'must be a mapping, got 5' }]);
  expect(problems(['a'])).toEqual([{ path: '(top level)', message: 'must be a mapping, got a list' }]);
});

test('a section given as a string is one problem, not a list of unknown keys', () => {
  expect(problems({ kubernetes: 'abc' })).toEqual([
    { path: 'kubernetes', message: 'must be a mapping, got "abc"' },
  ]);
});

test('node labels must be a mapping, not a string or a list', () => {
  expect(problems({ files: { nodeLabels: 'zone=a' } })).toEqual([
    { path: 'files.nodeLabels', message: 'must be a mapping of label names to strings, got "zone=a"' },
  ]);
  expect(problems({ files: { nodeLabels: ['zone'] } })).toEqual([
    { path: 'files.nodeLabels', message: 'must be a mapping of label names to strings, got a list' },
  ]);
  expect(problems({ files: { nodeLabels: { zone: 'a' } } })).toEqual([]);
});

test('YAML .nan is not a number of seconds', () => {
  expect(problems({ l2: { renewIntervalSeconds: Number.NaN } })).toEqual([
    { path: 'l2.renewIntervalSeconds', message: 'must be a number of seconds 0.1..3600, got NaN' },
  ]);
});

test('renewIntervalSeconds at its 3600 maximum is in range, and then judged against the lease', () => {
  expect(problems({ l2: { renewIntervalSeconds: 3600, leaseDurationSeconds: 3600 } })).toEqual([
    { path: 'l2.renewIntervalSeconds', message: 'must be less than leaseDurationSeconds (3600), got 3600' },
  ]);
});

test('booleans: true and false are taken, other values refused', () => {
  const r = validateConfig({ kubernetes: { claimServicesWithoutClass: false } });
  expect(r.ok && r.config.kubernetes.claimServicesWithoutClass).toBe(false);
  expect(problems({ kubernetes: { claimServicesWithoutClass: 'yes' } })).toEqual([
    { path: 'kubernetes.claimServicesWithoutClass', message: 'must be true or false, got "yes"' },
  ]);
});

test('leader election names and the state file must not be empty', () => {
  for (const [input, path] of [
    [{ kubernetes: { leaderElection: { namespace: '' } } }, 'kubernetes.leaderElection.namespace'],
    [{ kubernetes: { leaderElection: { leaseName: '' } } }, 'kubernetes.leaderElection.leaseName'],
    [{ files: { state: '' } }, 'files.state'],
  ] as const) {
    expect(problems(input)).toEqual([{ path, message: 'must not be empty' }]);
  }
});

test('leader election durations are whole seconds 1..3600', () => {
  expect(problems({ kubernetes: { leaderElection: { leaseDurationSeconds: 0 } } })).toEqual([
    { path: 'kubernetes.leaderElection.leaseDurationSeconds', message: 'must be an integer 1..3600, got 0' },
  ]);
  expect(problems({ kubernetes: { leaderElection: { renewDeadlineSeconds: 0 } } })).toEqual([
    { path: 'kubernetes.leaderElection.renewDeadlineSeconds', message: 'must be an integer 1..3600, got 0' },
  ]);
  // 1 and 3600 are in range (then judged by client-go's ordering rules).
  expect(
    problems({
      kubernetes: {
        leaderElection: { leaseDurationSeconds: 3600, renewDeadlineSeconds: 3600, retryPeriodSeconds: 1 },
      },
    }),
  ).toEqual([
    {
      path: 'kubernetes.leaderElection.leaseDurationSeconds',
      message: 'must be greater than renewDeadlineSeconds (3600), got 3600',
    },
  ]);
  expect(
    problems({
      kubernetes: {
        leaderElection: { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 1 },
      },
    }),
  ).toEqual([]);
  expect(
    problems({ kubernetes: { leaderElection: { renewDeadlineSeconds: 1, retryPeriodSeconds: 1 } } }),
  ).toEqual([
    {
      path: 'kubernetes.leaderElection.renewDeadlineSeconds',
      message: 'must be greater than 1.2 × retryPeriodSeconds (1), got 1',
    },
  ]);
});
