/**
 * PURE. Objects and lists of fields. An object's definition lists every key of its
 * TypeScript type (checked at compile time: a key missing from either side, or a
 * required key without `required()` or a default, does not compile), reports unknown
 * keys with a did-you-mean, applies defaults, and runs its cross-field checks.
 */
import { absent, at, list as listCheck, mapping, type Problem, type Rec } from '../validate/fields.ts';
import type { Field, OpenApi } from './field.ts';

type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

/** Present-or-defaulted keys need `required()` or a default; the rest are plain fields. */
export type Fields<T> = {
  [K in keyof T]-?: K extends RequiredKeys<T>
    ? Field<NonNullable<T[K]>> & ({ readonly required: string } | { readonly default: NonNullable<unknown> })
    : Field<NonNullable<T[K]>>;
};

/** A rule over several fields; runs only when the fields it `uses` had no problem. */
export interface Check<T> {
  uses: readonly (keyof T & string)[];
  /** May report problems and may normalize the value in place (e.g. drop an empty list). */
  check(value: T, path: string, out: Problem[]): void;
}

export interface ObjectOptions<T> {
  /** Absent = validated as `{}`, so the object's own defaults apply (schema `default: {}`). */
  defaultEmpty?: boolean;
  checks?: readonly Check<T>[];
  /** Extra schema keywords (x-kubernetes-validations, x-kubernetes-map-type, ...). */
  extra?: OpenApi;
  /** Replaces the field-by-field walk (known keys are still checked first) when the rules tie fields together. */
  body?: (m: Rec, path: string, out: Problem[]) => T | undefined;
}

/** Parses every field of a mapping; returns the value and the keys that had problems. */
function walk<T>(fields: Fields<T>, m: Rec, path: string, out: Problem[]) {
  const value: Rec = {};
  const bad = new Set<string>();
  for (const [k, f] of Object.entries(fields) as [string, Field<unknown>][]) {
    const p = at(path, k);
    const before = out.length;
    if (absent(m[k])) {
      if (f.required !== undefined) out.push({ path: p, message: f.required });
      else if (f.default !== undefined) value[k] = f.parse(f.default, p, out);
    } else {
      const x = f.parse(m[k], p, out);
      if (x !== undefined) value[k] = x;
    }
    if (out.length > before) bad.add(k);
  }
  return { value, bad };
}

export function object<T>(description: string, fields: Fields<T>, o: ObjectOptions<T> = {}): Field<T> {
  const entries = Object.entries(fields) as [string, Field<unknown>][];
  const keys = entries.map(([k]) => k);
  const schema: OpenApi = {
    type: 'object',
    description,
    properties: Object.fromEntries(entries.map(([k, f]) => [k, f.schema])),
    ...o.extra,
  };
  const req = entries.filter(([, f]) => f.required !== undefined).map(([k]) => k);
  if (req.length) schema.required = req;
  if (o.defaultEmpty) schema.default = {};
  return {
    schema,
    default: o.defaultEmpty ? {} : undefined,
    parse(v, path, out) {
      const m = mapping(v, path, out, keys);
      if (!m) return undefined;
      const before = out.length;
      if (o.body) return o.body(m, path, out);
      const { value, bad } = walk(fields, m, path, out);
      for (const c of o.checks ?? []) {
        if (c.uses.some((k) => bad.has(k))) continue;
        c.check(value as T, path, out);
      }
      return out.length === before ? (value as T) : undefined;
    },
    loose(v) {
      const m = mapping(v, '', []);
      if (!m) return undefined;
      const value: Rec = {};
      for (const [k, f] of entries) {
        if (absent(m[k])) continue;
        const scratch: Problem[] = [];
        const x = f.loose ? f.loose(m[k]) : f.parse(m[k], k, scratch);
        if (x !== undefined && scratch.length === 0) value[k] = x;
      }
      return value as T;
    },
  };
}

export interface ListOptions<T> {
  /** Fewer items than `count` is reported with `message`. */
  min?: { count: number; message: string };
  /** Equal values are kept once, silently (communities written twice). */
  dedupe?: boolean;
  /**
   * Items that must not clash (the same peer twice, overlapping blocks): a later item
   * clashing with an earlier good one is reported at its path (+ `.field`).
   */
  distinct?: {
    field?: string;
    clash: (earlier: T, later: T) => boolean;
    message: (earlierPath: string, later: T) => string;
  };
  /** Lenient read for status lists. */
  loose?: (v: unknown) => T[] | undefined;
  extra?: OpenApi;
}

export function list<T>(description: string, item: Field<T>, o: ListOptions<T> = {}): Field<T[]> {
  const schema: OpenApi = { type: 'array', description, items: item.schema, ...o.extra };
  if (o.min) schema.minItems = o.min.count;
  return {
    schema,
    loose: o.loose,
    parse(v, path, out) {
      const items = listCheck(v, path, out);
      if (!items) return undefined;
      const before = out.length;
      if (o.min && items.length < o.min.count) out.push({ path, message: o.min.message });
      const res: T[] = [];
      const good: { value: T; index: number }[] = [];
      items.forEach((x, i) => {
        const p = at(path, i);
        const value = item.parse(x, p, out);
        if (value === undefined) return;
        if (o.dedupe && res.includes(value)) return;
        const d = o.distinct;
        const other = d && good.find((g) => d.clash(g.value, value));
        if (d && other) {
          out.push({ path: d.field ? at(p, d.field) : p, message: d.message(at(path, other.index), value) });
        }
        good.push({ value, index: i });
        res.push(value);
      });
      return out.length === before ? res : undefined;
    },
  };
}
