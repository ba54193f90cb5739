/**
 * PURE. Shape checks of what the API server sends an informer: a list must be an object whose
 * `items` is an array of objects with a string `metadata.name` (and, when they say, the right
 * kind); a watch event must have a known type and an object of that shape. A response that fails
 * is rejected whole, never read as "empty" or "partly there": a leader that read a broken pools
 * list as empty would release every IP.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface CheckedList {
  items: unknown[];
  resourceVersion: string;
}

export const WATCH_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ADDED',
  'MODIFIED',
  'DELETED',
  'BOOKMARK',
  'ERROR',
]);

/** "a BOOKMARK", "an ADDED" */
export function article(word: string): string {
  return /^[AEIOUaeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why `o` is not an object of `kind` with a name, or undefined when it is. */
export function objectProblem(o: unknown, kind: string | undefined, where: string): string | undefined {
  if (!isObject(o)) return `${where} is ${describe(o)}, not an object`;
  if (kind !== undefined && o.kind !== undefined && o.kind !== kind)
    return `${where} is ${article(String(o.kind))}, not ${article(kind)}`;
  const m = o.metadata;
  if (!isObject(m)) return `${where} has no metadata`;
  if (typeof m.name !== 'string' || m.name === '') return `${where} has no metadata.name`;
  if (m.namespace !== undefined && typeof m.namespace !== 'string')
    return `${where} has a metadata.namespace that is not a string`;
  if (m.resourceVersion !== undefined && typeof m.resourceVersion !== 'string')
    return `${where} has a metadata.resourceVersion that is not a string`;
  return undefined;
}

/** A list response: `items` must be an array (absent or null is refused too) of named objects. */
export function checkList(body: unknown, kind?: string): Checked<CheckedList> {
  if (!isObject(body)) return { ok: false, reason: `the list is ${describe(body)}, not an object` };
  if (kind !== undefined && body.kind !== undefined && body.kind !== `${kind}List`)
    return { ok: false, reason: `the list is ${article(String(body.kind))}, not ${article(`${kind}List`)}` };
  const items = body.items;
  if (!Array.isArray(items)) return { ok: false, reason: `items is ${describe(items)}, not an array` };
  for (let i = 0; i < items.length; i++) {
    const problem = objectProblem(items[i], kind, `items[${i}]`);
    if (problem) return { ok: false, reason: problem };
  }
  const meta = body.metadata;
  const rv = isObject(meta) ? meta.resourceVersion : undefined;
  if (rv !== undefined && typeof rv !== 'string')
    return { ok: false, reason: 'the list has a metadata.resourceVersion that is not a string' };
  return { ok: true, value: { items, resourceVersion: rv ?? '' } };
}

export interface CheckedEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/**
 * A watch event: a known type and an object. ERROR carries a Status (not checked further);
 * BOOKMARK only a metadata.resourceVersion; the others a named object of `kind`.
 */
export function checkWatchEvent(e: unknown, kind?: string): Checked<CheckedEvent> {
  if (!isObject(e)) return { ok: false, reason: `a watch event is ${describe(e)}, not an object` };
  const type = e.type;
  if (typeof type !== 'string' || !WATCH_EVENT_TYPES.has(type))
    return { ok: false, reason: `a watch event has an unknown type ${JSON.stringify(type)?.slice(0, 40)}` };
  const object = e.object;
  if (!isObject(object))
    return { ok: false, reason: `${article(type)} event's object is ${describe(object)}` };
  if (type === 'BOOKMARK') {
    const m = object.metadata;
    if (!isObject(m) || typeof m.resourceVersion !== 'string')
      return { ok: false, reason: 'a BOOKMARK event has no metadata.resourceVersion' };
  } else if (type !== 'ERROR') {
    const problem = objectProblem(object, kind, `${article(type)} event's object`);
    if (problem) return { ok: false, reason: problem };
  }
  return { ok: true, value: { type: type as CheckedEvent['type'], object } };
}
