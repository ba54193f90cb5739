/**
 * PURE. Field checkers: each takes the value, its path and the problem list, reports
 * what was expected, and returns the typed value or undefined. The schema definitions
 * (api/schema/) build on them; the core-object validators (core.ts) use them directly.
 */
import { didYouMean } from '../../lib/suggest.ts';
import type { Condition, ObjectMeta } from '../v1alpha1.ts';

export interface Problem {
  /** Field path inside the object, e.g. spec.blocks[0].cidr ("" for the object itself). */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export function formatProblem(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

export const UINT32_MAX = 4294967295;

export type Rec = Record<string, unknown>;

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function isMap(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** null and undefined both mean "not set" (as in the Kubernetes API). */
export function absent(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/**
 * A mapping. With `known`, every other key is reported with a did-you-mean (edgelb's
 * own kinds); without it, unknown keys are ignored (core kinds carry many fields
 * edgelb does not read).
 */
export function mapping(
  v: unknown,
  path: string,
  out: Problem[],
  known?: readonly string[],
): Rec | undefined {
  if (!isMap(v)) {
    out.push({ path, message: `must be a mapping, got ${show(v)}` });
    return undefined;
  }
  if (known) {
    for (const k of Object.keys(v)) {
      if (known.includes(k)) continue;
      const hint = didYouMean(k, known);
      out.push({ path: at(path, k), message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}` });
    }
  }
  return v;
}

export function list(v: unknown, path: string, out: Problem[]): unknown[] | undefined {
  if (!Array.isArray(v)) {
    out.push({ path, message: `must be a list, got ${show(v)}` });
    return undefined;
  }
  return v;
}

export function str(
  v: unknown,
  path: string,
  out: Problem[],
  opts: { nonEmpty?: boolean } = {},
): string | undefined {
  if (typeof v !== 'string') {
    out.push({ path, message: `must be a string, got ${show(v)}` });
    return undefined;
  }
  if (opts.nonEmpty && v === '') {
    out.push({ path, message: 'must not be empty' });
    return undefined;
  }
  return v;
}

export function int(v: unknown, path: string, out: Problem[], min: number, max: number): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    out.push({ path, message: `must be an integer ${min}..${max}, got ${show(v)}` });
    return undefined;
  }
  return v;
}

export function bool(v: unknown, path: string, out: Problem[]): boolean | undefined {
  if (typeof v !== 'boolean') {
    out.push({ path, message: `must be true or false, got ${show(v)}` });
    return undefined;
  }
  return v;
}

export function oneOf<T extends string>(
  v: unknown,
  path: string,
  out: Problem[],
  allowed: readonly T[],
): T | undefined {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    out.push({ path, message: `must be one of ${allowed.join(', ')}, got ${show(v)}` });
    return undefined;
  }
  return v as T;
}

/** A map of strings (labels, annotations, selectors). Non-string values are reported with a hint to quote them. */
export function stringMap(v: unknown, path: string, out: Problem[]): Record<string, string> | undefined {
  const m = mapping(v, path, out);
  if (!m) return undefined;
  const res: Record<string, string> = {};
  for (const [k, val] of Object.entries(m)) {
    if (typeof val === 'string') res[k] = val;
    else out.push({ path: at(path, k), message: `must be a string, got ${show(val)} (quote it in YAML)` });
  }
  return res;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function objectName(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  if (s.length > 253 || !NAME.test(s)) {
    out.push({
      path,
      message: `must be a lowercase RFC 1123 name (a-z, 0-9, "-", "."), got ${show(s)}`,
    });
    return undefined;
  }
  return s;
}

/** The metadata fields edgelb reads; the rest (managedFields...) is ignored. */
export function metadata(
  v: unknown,
  path: string,
  out: Problem[],
  namespaced: boolean,
): ObjectMeta | undefined {
  if (absent(v)) {
    out.push({ path: at(path, 'name'), message: 'is required' });
    return undefined;
  }
  const m = mapping(v, path, out);
  if (!m) return undefined;
  const before = out.length;
  const meta: ObjectMeta = { name: '' };
  if (absent(m.name)) out.push({ path: at(path, 'name'), message: 'is required' });
  else meta.name = objectName(m.name, at(path, 'name'), out) ?? '';
  if (namespaced && !absent(m.namespace))
    meta.namespace = objectName(m.namespace, at(path, 'namespace'), out);
  if (typeof m.uid === 'string') meta.uid = m.uid;
  if (typeof m.resourceVersion === 'string') meta.resourceVersion = m.resourceVersion;
  if (typeof m.generation === 'number') meta.generation = m.generation;
  if (typeof m.creationTimestamp === 'string') meta.creationTimestamp = m.creationTimestamp;
  if (!absent(m.labels)) meta.labels = stringMap(m.labels, at(path, 'labels'), out);
  if (!absent(m.annotations)) meta.annotations = stringMap(m.annotations, at(path, 'annotations'), out);
  return out.length === before ? meta : undefined;
}

/** kind and apiVersion may be absent (items of a List); when present they must match. */
export function typeMeta(m: Rec, kind: string, apiVersion: string, out: Problem[]): void {
  if (!absent(m.kind) && m.kind !== kind)
    out.push({ path: 'kind', message: `must be "${kind}", got ${show(m.kind)}` });
  if (!absent(m.apiVersion) && m.apiVersion !== apiVersion) {
    out.push({ path: 'apiVersion', message: `must be "${apiVersion}", got ${show(m.apiVersion)}` });
  }
}

/** Conditions in a status read back from the API: well-formed ones are kept, nothing is reported. */
export function looseConditions(v: unknown): Condition[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(
    (c): c is Condition => isMap(c) && typeof c.type === 'string' && typeof c.status === 'string',
  );
}
