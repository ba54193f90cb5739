/** The pure helpers of agent/lib: the metrics registry, backoff and "did you mean". */
import { describe, expect, test } from 'bun:test';
import { backoffDelay } from '../../agent/lib/backoff.ts';
import { Registry, type Sample } from '../../agent/lib/metrics.ts';
import { didYouMean, levenshtein } from '../../agent/lib/suggest.ts';

describe('metrics registry', () => {
  test('renders the text exposition format with escaped labels and help', () => {
    const r = new Registry();
    const c = r.counter('edgelb_things_total', 'Things\nseen \\ counted.', ['peer']);
    const g = r.gauge('edgelb_level', 'A level.');
    c.inc({ peer: 'a"b\\c\nd' });
    c.inc({ peer: 'x' }, 2);
    c.inc({ peer: 'x' }, 0);
    g.set({}, Number.POSITIVE_INFINITY);
    r.collect('edgelb_computed', 'Computed.', 'gauge', (): Sample[] => [
      { labels: {}, value: Number.NaN },
      { labels: { k: 'v' }, value: Number.NEGATIVE_INFINITY },
    ]);
    expect(r.render()).toBe(
      [
        '# HELP edgelb_things_total Things\\nseen \\\\ counted.',
        '# TYPE edgelb_things_total counter',
        'edgelb_things_total{peer="a\\"b\\\\c\\nd"} 1',
        'edgelb_things_total{peer="x"} 2',
        '# HELP edgelb_level A level.',
        '# TYPE edgelb_level gauge',
        'edgelb_level +Inf',
        '# HELP edgelb_computed Computed.',
        '# TYPE edgelb_computed gauge',
        'edgelb_computed NaN',
        'edgelb_computed{k="v"} -Inf',
        '',
      ].join('\n'),
    );
  });

  test('counters only go up; gauges go both ways; get, remove', () => {
    const r = new Registry();
    const c = r.counter('c_total', 'c', ['p']);
    expect(() => c.inc({ p: 'a' }, -1)).toThrow('cannot decrease');
    c.inc({ p: 'a' });
    expect(c.get({ p: 'a' })).toBe(1);
    expect(c.get({ p: 'b' })).toBe(0);
    const g = r.gauge('g', 'g', ['p']);
    g.inc({ p: 'a' });
    g.inc({ p: 'a' }, -3);
    expect(g.get({ p: 'a' })).toBe(-2);
    g.inc();
    expect(g.get()).toBe(1);
    g.remove({ p: 'a' });
    expect(g.get({ p: 'a' })).toBe(0);
    expect(g.samples().length).toBe(1);
    g.remove();
    expect(g.samples()).toEqual([]);
    expect(() => c.inc({ q: 'x' })).toThrow('has no label q');
    expect(() => r.counter('c_total', 'again')).toThrow('registered twice');
    expect(() => r.gauge('1bad', 'x')).toThrow('invalid metric name');
    expect(() => r.gauge('ok', 'x', ['bad-label'])).toThrow('invalid label name');
    expect(() => r.collect('bad name', 'x', 'gauge', () => [])).toThrow('invalid metric name');
  });
});

describe('backoffDelay', () => {
  const o = { baseMs: 100, capMs: 10_000, jitter: 0.5 };
  test('doubles per attempt, jitter takes off up to its fraction, the cap holds', () => {
    expect(backoffDelay(0, o, () => 0)).toBe(100);
    expect(backoffDelay(0, o, () => 1)).toBe(50);
    expect(backoffDelay(3, o, () => 0)).toBe(800);
    expect(backoffDelay(3, o, () => 0.5)).toBe(600);
    expect(backoffDelay(20, o, () => 0)).toBe(10_000);
    expect(backoffDelay(1000, { ...o, capMs: Number.POSITIVE_INFINITY }, () => 0)).toBe(100 * 2 ** 30);
    expect(backoffDelay(30, { ...o, baseMs: 1, capMs: Number.POSITIVE_INFINITY }, () => 0)).toBe(2 ** 30);
    expect(backoffDelay(29, { ...o, baseMs: 1, capMs: Number.POSITIVE_INFINITY }, () => 0)).toBe(2 ** 29);
  });
});

describe('suggestions', () => {
  test('levenshtein', () => {
    expect(levenshtein('', '')).toBe(0);
    expect(levenshtein('abc', '')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('http', 'htpp')).toBe(1);
    expect(levenshtein('ab', 'ba')).toBe(2);
    expect(levenshtein('abcd', 'abd')).toBe(1);
    expect(levenshtein('abd', 'abcd')).toBe(1);
  });

  test('didYouMean: a prefix of 4+ letters, else the closest within max(2, length/3)', () => {
    expect(didYouMean('leas', ['leaseName', 'namespace'])).toBe('leaseName');
    expect(didYouMean('lea', ['leaseName'])).toBeUndefined();
    expect(didYouMean('htpp', ['http', 'log'])).toBe('http');
    expect(didYouMean('xyz', ['http'])).toBeUndefined();
    expect(didYouMean('abcdefghi', ['abcdefxyz'])).toBe('abcdefxyz');
    expect(didYouMean('abcdefghi', ['abcdewxyz'])).toBeUndefined();
    expect(didYouMean('ab', ['xy'])).toBe('xy');
    expect(didYouMean('HTPP', ['http'])).toBe('http');
    expect(didYouMean('anything', [])).toBeUndefined();
    // ties go to the first candidate; three edits are too many for a short name
    expect(didYouMean('ab', ['xb', 'ax'])).toBe('xb');
    expect(didYouMean('abc', ['xyz'])).toBeUndefined();
    expect(didYouMean('abcdefghi', ['abcdefghx', 'abcdefghy'])).toBe('abcdefghx');
  });
});
