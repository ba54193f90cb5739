/**
 * PURE. One definition per field, two products: `schema` is the field's OpenAPI v3
 * fragment for the CRD (always with a description, so `kubectl explain` is useful) and
 * `parse` is its validator (precise messages, the documented default). Both are built
 * from the same arguments here, so they cannot drift; object.ts composes fields into
 * objects and lists, resource.ts into whole resources.
 */
import {
  bool as boolCheck,
  int as intCheck,
  objectName as nameCheck,
  oneOf as oneOfCheck,
  type Problem,
  show,
  str as strCheck,
  stringMap as stringMapCheck,
} from '../validate/fields.ts';

export type OpenApi = Record<string, unknown>;

export type Parse<T> = (v: unknown, path: string, out: Problem[]) => T | undefined;

export interface Field<T> {
  /** The OpenAPI v3 fragment published in the CRD. */
  readonly schema: OpenApi;
  /** Checks a present (non-null) value, reports every problem, returns the typed value or undefined. */
  readonly parse: Parse<T>;
  /** Value used when the field is absent (also published as the schema's `default`); parsed like input. */
  readonly default?: unknown;
  /** Set when the field must be present: the message for its absence. */
  readonly required?: string;
  /** Lenient read for status written by edgelb itself: the value if well-formed, else undefined, no report. */
  readonly loose?: (v: unknown) => T | undefined;
}

/** The message for a missing required field. */
export const IS_REQUIRED = 'is required';

/** The field, required: absent is reported with `message` ("is required" unless a hint helps). */
export function required<T>(f: Field<T>, message: string = IS_REQUIRED): Field<T> & { required: string } {
  return { ...f, required: message, schema: f.schema };
}

function withDefault(schema: OpenApi, dflt: unknown): OpenApi {
  return dflt === undefined ? schema : { ...schema, default: dflt };
}

export function int(
  description: string,
  min: number,
  max: number,
  o: { default?: number; extra?: OpenApi } = {},
): Field<number> {
  return {
    schema: withDefault(
      { type: 'integer', format: 'int64', minimum: min, maximum: max, description, ...o.extra },
      o.default,
    ),
    parse: (v, path, out) => intCheck(v, path, out, min, max),
    default: o.default,
  };
}

export function bool(description: string, o: { default?: boolean } = {}): Field<boolean> {
  return {
    schema: withDefault({ type: 'boolean', description }, o.default),
    parse: boolCheck,
    default: o.default,
  };
}

export interface StringOptions {
  nonEmpty?: boolean;
  maxLength?: number;
  /** A regular expression the value must match, and the message when it does not. */
  pattern?: { source: string; message: string };
  format?: string;
  default?: string;
}

export function string(description: string, o: StringOptions = {}): Field<string> {
  const re = o.pattern ? new RegExp(o.pattern.source) : undefined;
  const schema: OpenApi = { type: 'string', description };
  if (o.nonEmpty) schema.minLength = 1;
  if (o.maxLength !== undefined) schema.maxLength = o.maxLength;
  if (o.pattern) schema.pattern = o.pattern.source;
  if (o.format) schema.format = o.format;
  return {
    schema: withDefault(schema, o.default),
    parse(v, path, out) {
      const s = strCheck(v, path, out, { nonEmpty: o.nonEmpty });
      if (s === undefined) return undefined;
      if (o.maxLength !== undefined && s.length > o.maxLength) {
        out.push({ path, message: `must be at most ${o.maxLength} characters, got ${s.length}` });
        return undefined;
      }
      if (re && !re.test(s)) return void out.push({ path, message: `${o.pattern!.message}, got ${show(s)}` });
      return s;
    },
    default: o.default,
  };
}

/** An object name (RFC 1123 subdomain), as for metadata.name. */
export function objectName(description: string): Field<string> {
  return {
    schema: {
      type: 'string',
      description,
      minLength: 1,
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
    },
    parse: nameCheck,
  };
}

export function oneOf<T extends string>(
  description: string,
  values: readonly T[],
  o: { default?: T } = {},
): Field<T> {
  return {
    schema: withDefault({ type: 'string', enum: [...values], description }, o.default),
    parse: (v, path, out) => oneOfCheck(v, path, out, values),
    default: o.default,
  };
}

/** "must be one of A, B, got nothing": what oneOf says about an absent value. */
export function oneOfMissing(values: readonly string[]): string {
  return `must be one of ${values.join(', ')}, got ${show(undefined)}`;
}

/** A map of string values (labels, selectors). */
export function stringMap(description: string): Field<Record<string, string>> {
  return {
    schema: { type: 'object', description, additionalProperties: { type: 'string' } },
    parse: stringMapCheck,
  };
}

/**
 * A field whose check needs code of its own (an IP address, a community, a regular
 * expression): `schema` says what the CRD can express of it, `parse` all of it. The
 * agreement test (test/api/schema-agreement.test.ts) lists where the two differ.
 */
export function custom<T>(description: string, schema: OpenApi, parse: Parse<T>, dflt?: T): Field<T> {
  return { schema: withDefault({ ...schema, description }, dflt), parse, default: dflt };
}
