/**
 * The definitions and the TypeScript types correspond at compile time (`tsc --noEmit`
 * checks the @ts-expect-error lines: each must be an error), and the field constructors
 * behave as the resources rely on.
 */
import { describe, expect, test } from 'bun:test';
import { int, required, string } from '../../agent/api/schema/field.ts';
import { list, object } from '../../agent/api/schema/object.ts';
import type { Problem } from '../../agent/api/validate/fields.ts';

interface Thing {
  name: string;
  size?: number;
}

describe('definitions follow their types', () => {
  test('a missing key, an extra key, a wrong type, an unmarked required key do not compile', () => {
    // @ts-expect-error size is missing
    object<Thing>('x', { name: required(string('n')) });
    // @ts-expect-error colour is not a field of Thing
    object<Thing>('x', { name: required(string('n')), size: int('s', 0, 9), colour: string('c') });
    // @ts-expect-error size is a number, not a string
    object<Thing>('x', { name: required(string('n')), size: string('s') });
    // @ts-expect-error name is required in Thing: required() or a default
    object<Thing>('x', { name: string('n'), size: int('s', 0, 9) });
    const ok = object<Thing>('x', { name: required(string('n')), size: int('s', 0, 9, { default: 1 }) });
    expect(ok.schema.required).toEqual(['name']);
  });

  test('defaults, required messages, unknown keys and cross-field checks', () => {
    const thing = object<Thing>(
      'A thing.',
      {
        name: required(string('Its name.'), 'is required (a name)'),
        size: int('Its size.', 0, 9, { default: 3 }),
      },
      {
        checks: [
          {
            uses: ['name', 'size'],
            check: (t, path, out) => {
              if (t.name.length > t.size!) out.push({ path: `${path}.name`, message: 'longer than size' });
            },
          },
        ],
      },
    );
    const run = (v: unknown) => {
      const out: Problem[] = [];
      return { value: thing.parse(v, 'spec', out), out: out.map((p) => `${p.path}: ${p.message}`) };
    };
    expect(run({ name: 'ab' })).toEqual({ value: { name: 'ab', size: 3 }, out: [] });
    expect(run({ nme: 'ab' }).out).toEqual([
      'spec.nme: unknown field (did you mean "name"?)',
      'spec.name: is required (a name)',
    ]);
    expect(run({ name: 'abcd' }).out).toEqual(['spec.name: longer than size']);
    // the check does not run on a field that already has a problem
    expect(run({ name: 'abcd', size: 10 }).out).toEqual(['spec.size: must be an integer 0..9, got 10']);
    expect(thing.schema).toMatchObject({
      type: 'object',
      description: 'A thing.',
      required: ['name'],
      properties: { size: { type: 'integer', minimum: 0, maximum: 9, default: 3, description: 'Its size.' } },
    });
  });

  test('lists: minimum, dedupe, clashes reported at the later item', () => {
    const names = list('Names.', string('A name.'), {
      min: { count: 1, message: 'must hold a name' },
      distinct: { clash: (a, b) => a.toLowerCase() === b.toLowerCase(), message: (e) => `same as ${e}` },
    });
    const out: Problem[] = [];
    names.parse(['a', 'B', 'b'], 'l', out);
    names.parse([], 'm', out);
    expect(out).toEqual([
      { path: 'l[2]', message: 'same as l[1]' },
      { path: 'm', message: 'must hold a name' },
    ]);
    const deduped = list('Names.', string('A name.'), { dedupe: true });
    expect(deduped.parse(['a', 'a', 'b'], 'l', [])).toEqual(['a', 'b']);
  });
});
