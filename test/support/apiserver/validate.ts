// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * Validation the real server does that clients trip over: MicroTime fields with exactly six
 * fractional digits, object names, and custom resources against their CRD's openAPIV3Schema
 * (types, required, enum, bounds, pattern, lengths; unknown fields pruned as the real server does).
 */
import { ApiError } from './errors.ts';
import { fieldValue } from './selectors.ts';

const MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/** 400 like kube-apiserver's decoder: `parsing time "..." as "2006-01-02T15:04:05.000000Z07:00"`. */
export function checkMicroTimes(obj: any, fields: string[], kind: string, version: string): void {
  for (const f of fields) {
    const v = fieldValue(obj, f);
    if (v === '' || MICRO.test(v)) continue;
    const frac = /\.(\d+)/.exec(v)?.[1];
    const why =
      frac === undefined
        ? `cannot parse "${v.slice(19)}" as ".000000"`
        : `cannot parse ".${frac}" as ".000000"`;
    throw new ApiError(
      400,
      'BadRequest',
      `${kind} in version "${version}" cannot be handled as a ${kind}: parsing time "${v}" as "2006-01-02T15:04:05.000000Z07:00": ${why}`,
    );
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'Required value: name or generateName is required';
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
    return `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
  return undefined;
}

type Problem = { field: string; message: string };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Validates v against schema at path; prunes unknown object fields in place. */
export function validateSchema(
  v: unknown,
  schema: any,
  path: string,
  out: Problem[],
  pruned: string[] = [],
): void {
  if (!schema || v === undefined) return;
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof v !== 'string' && !Number.isInteger(v))
      out.push({ field: path, message: `Invalid value: "${typeOf(v)}": must be an integer or a string` });
    return;
  }
  if (v === null) {
    if (!schema.nullable) out.push({ field: path, message: 'Invalid value: "null": must not be null' });
    return;
  }
  const t = schema.type;
  const actual = typeOf(v);
  if (t && !(t === actual || (t === 'number' && actual === 'integer'))) {
    out.push({
      field: path,
      message: `Invalid value: "${actual}": ${path} in body must be of type ${t}: "${actual}"`,
    });
    return;
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(v))
  )
    out.push({
      field: path,
      message: `Unsupported value: ${JSON.stringify(v)}: supported values: ${schema.enum.map((e: unknown) => JSON.stringify(e)).join(', ')}`,
    });
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum)
      out.push({
        field: path,
        message: `Invalid value: ${v}: ${path} in body should be greater than or equal to ${schema.minimum}`,
      });
    if (schema.maximum !== undefined && v > schema.maximum)
      out.push({
        field: path,
        message: `Invalid value: ${v}: ${path} in body should be less than or equal to ${schema.maximum}`,
      });
  }
  if (typeof v === 'string') {
    if (schema.minLength !== undefined && v.length < schema.minLength)
      out.push({
        field: path,
        message: `Invalid value: "${v}": ${path} in body should be at least ${schema.minLength} chars long`,
      });
    if (schema.maxLength !== undefined && v.length > schema.maxLength)
      out.push({ field: path, message: `Too long: may not be more than ${schema.maxLength} bytes` });
    if (schema.pattern && !new RegExp(schema.pattern).test(v))
      out.push({
        field: path,
        message: `Invalid value: "${v}": ${path} in body should match '${schema.pattern}'`,
      });
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems)
      out.push({
        field: path,
        message: `Invalid value: ${v.length}: ${path} in body should have at least ${schema.minItems} items`,
      });
    if (schema.maxItems !== undefined && v.length > schema.maxItems)
      out.push({ field: path, message: `Too many: ${v.length}: must have at most ${schema.maxItems} items` });
    for (const [i, item] of v.entries()) validateSchema(item, schema.items, `${path}[${i}]`, out, pruned);
  }
  if (actual === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of schema.required ?? [])
      if (o[r] === undefined) out.push({ field: path ? `${path}.${r}` : r, message: 'Required value' });
    const props = schema.properties;
    for (const [k, val] of Object.entries(o)) {
      const p = path ? `${path}.${k}` : k;
      if (props?.[k]) validateSchema(val, props[k], p, out, pruned);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        validateSchema(val, schema.additionalProperties, p, out, pruned);
      else if (props && !schema['x-kubernetes-preserve-unknown-fields'] && !schema.additionalProperties) {
        delete o[k];
        pruned.push(p);
      }
    }
  }
}

/**
 * Validates a custom resource (metadata, apiVersion and kind excluded) against openAPIV3Schema,
 * pruning unknown fields; their paths are appended to `pruned`.
 */
export function validateCustomResource(obj: any, schema: any, pruned: string[] = []): Problem[] {
  if (!schema) return [];
  const out: Problem[] = [];
  const { apiVersion, kind, metadata, ...rest } = obj;
  const props = schema.properties ? { ...schema.properties } : undefined;
  if (props) {
    delete props.apiVersion;
    delete props.kind;
    delete props.metadata;
  }
  validateSchema(rest, { ...schema, properties: props }, '', out, pruned);
  for (const k of Object.keys(obj))
    if (!['apiVersion', 'kind', 'metadata'].includes(k) && !(k in rest)) delete obj[k];
  return out;
}
