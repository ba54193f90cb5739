/** agent/api/validate/fields.ts: the field checkers' exact texts at their limits. */
import { describe, expect, test } from 'bun:test';
import { poolResource } from '../../agent/api/pool.ts';
import { validateSecret } from '../../agent/api/validate/core.ts';
import { formatProblem, objectName, type Problem, show, str } from '../../agent/api/validate/fields.ts';

function run<T>(fn: (v: unknown, path: string, out: Problem[]) => T, v: unknown) {
  const out: Problem[] = [];
  const value = fn(v, 'p', out);
  return { value, out: out.map((p) => p.message) };
}

describe('show', () => {
  test.each([
    [null, 'nothing'],
    [undefined, 'nothing'],
    ['x', '"x"'],
    [[1], 'a list'],
    [{}, 'a mapping'],
    [7, '7'],
    [false, 'false'],
  ])('%p', (v, text) => {
    expect(show(v)).toBe(text);
  });

  test('in a message', () => {
    expect(run(str, null)).toEqual({ value: undefined, out: ['must be a string, got nothing'] });
  });
});

describe('objectName', () => {
  const NAME_ERROR = (s: string) =>
    `must be a lowercase RFC 1123 name (a-z, 0-9, "-", "."), got ${JSON.stringify(s)}`;
  test.each([
    ['', undefined, 'must not be empty'],
    ['a'.repeat(253), 'a'.repeat(253), undefined],
    ['a'.repeat(254), undefined, NAME_ERROR('a'.repeat(254))],
    ['a.b-c', 'a.b-c', undefined],
    ['A', undefined, NAME_ERROR('A')],
  ])('%p', (v, value, problem) => {
    expect(run(objectName, v)).toEqual({ value, out: problem ? [problem] : [] });
  });
});

describe('core objects that are not mappings', () => {
  test('a Secret', () => {
    expect(validateSecret('x')).toStrictEqual({
      ok: false,
      problems: [{ path: '', message: 'must be a mapping, got "x"' }],
    });
  });
});

describe('pool blocks', () => {
  const pool = (blocks: unknown[]) => ({
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPool',
    metadata: { name: 'p' },
    spec: { blocks },
  });
  test('empty cidr, start and stop are "must not be empty"', () => {
    const r = poolResource.validate(
      pool([{ cidr: '' }, { start: '', stop: '10.0.0.1' }, { start: '10.0.0.1', stop: '' }]),
    );
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([
      'spec.blocks[0].cidr: must not be empty',
      'spec.blocks[1].start: must not be empty',
      'spec.blocks[2].stop: must not be empty',
    ]);
  });
});
