/**
 * toSelector: a match expression needs both a string key and one of the four operators.
 * andSelectors: one selector comes back as given; equal labels merge, conflicting ones become In.
 */
import { expect, test } from 'bun:test';
import { andSelectors, toSelector } from '../../agent/convert/selector.ts';
import { type ConvertResult, Notes } from '../../agent/convert/types.ts';

const ERROR = 'must have a key and an operator In, NotIn, Exists or DoesNotExist';

const cases: [string, unknown][] = [
  ['no key', { operator: 'In', values: ['a'] }],
  ['a numeric key', { key: 7, operator: 'Exists' }],
  ['an unknown operator', { key: 'k', operator: 'Equals', values: ['a'] }],
  ['no operator', { key: 'k' }],
  ['not a map', 'k In (a)'],
];
for (const [name, expression] of cases)
  test(`${name}: refused`, () => {
    const result: ConvertResult = { objects: [], warnings: [], errors: [] };
    const out = toSelector(
      { matchExpressions: [{ key: 'ok', operator: 'Exists' }, expression] },
      's',
      new Notes('X/y', result),
    );
    expect(out).toBeUndefined();
    expect(result.errors).toEqual([{ object: 'X/y', field: 's.matchExpressions[1]', message: ERROR }]);
  });

test('every operator with a string key is accepted', () => {
  const result: ConvertResult = { objects: [], warnings: [], errors: [] };
  const exprs = (['In', 'NotIn', 'Exists', 'DoesNotExist'] as const).map((operator) => ({
    key: 'k',
    operator,
  }));
  expect(toSelector({ matchExpressions: exprs }, 's', new Notes('X/y', result))).toEqual({
    matchExpressions: exprs,
  });
  expect(result.errors).toEqual([]);
});

test('andSelectors: one selector comes back as given (duplicates and empty keys kept)', () => {
  const e = { key: 'k', operator: 'Exists' as const };
  expect(andSelectors(undefined, { matchLabels: {} })).toEqual({ matchLabels: {} });
  expect(andSelectors({ matchExpressions: [e, e] }, undefined)).toEqual({ matchExpressions: [e, e] });
  expect(andSelectors(undefined, undefined)).toBeUndefined();
});

test('andSelectors: equal labels merge; a second value for a key becomes an In expression', () => {
  expect(andSelectors({ matchLabels: { a: '1' } }, { matchLabels: { a: '1', b: '2' } })).toEqual({
    matchLabels: { a: '1', b: '2' },
  });
  expect(andSelectors({ matchLabels: { a: '1' } }, { matchLabels: { a: '2' } })).toEqual({
    matchLabels: { a: '1' },
    matchExpressions: [{ key: 'a', operator: 'In', values: ['2'] }],
  });
});
