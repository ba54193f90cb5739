/**
 * The four PATCH flavours kube-apiserver accepts: JSON merge patch (RFC 7386), JSON patch
 * (RFC 6902), strategic merge patch (merge patch that merges the known keyed lists by key
 * and honours `$patch: delete|replace`), and server-side apply (approximated as a strategic
 * merge of the applied configuration into the live object).
 */
import { ApiError, errors } from './errors.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Merge keys of list fields, by field name (k8s.io/api `patchMergeKey` tags for the types served). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  conditions: 'type',
  ports: 'port', // ServicePort's merge key is `port` (container ports use containerPort)
  ownerReferences: 'uid',
  addresses: 'type', // NodeAddress (approximation)
  taints: 'key',
  imagePullSecrets: 'name',
};
/** Lists merged as sets of scalars. */
const SET_LISTS = new Set(['finalizers']);

export function strategicMerge(target: Json | undefined, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) return strategicList(Array.isArray(target) ? target : [], patch, field);
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return null;
  const out: Obj = isObj(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v, k);
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith('$deleteFromPrimitiveList/') || !Array.isArray(v)) continue;
    const name = k.slice('$deleteFromPrimitiveList/'.length);
    const cur = out[name];
    if (Array.isArray(cur)) out[name] = cur.filter((x) => !v.includes(x));
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function strategicList(target: Json[], patch: Json[], field: string): Json {
  const key = MERGE_KEYS[field];
  if (SET_LISTS.has(field)) return [...target, ...patch.filter((p) => !target.includes(p))];
  if (!key || !patch.every(isObj)) return structuredClone(patch);
  if (patch.some((p) => isObj(p) && p.$patch === 'replace'))
    return patch.filter((p) => !(isObj(p) && p.$patch === 'replace'));
  const out = target.map((t) => structuredClone(t));
  for (const p of patch as Obj[]) {
    const idx = out.findIndex((t) => isObj(t) && t[key] === p[key]);
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMerge(out[idx], p, '');
    else out.push(strategicMerge(undefined, p, ''));
  }
  return out;
}

type Op = { op: string; path: string; value?: Json; from?: string };

function unescapeSegment(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw errors.badRequest(`json patch: invalid path "${path}"`);
  return path.slice(1).split('/').map(unescapeSegment);
}

function resolveParent(doc: Json, segs: string[], path: string): { parent: Obj | Json[]; last: string } {
  let cur: Json = doc;
  for (const s of segs.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(s)] : isObj(cur) ? cur[s] : undefined;
    if (next === undefined || next === null || typeof next !== 'object')
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: doc is missing path: "${path}"`,
      );
    cur = next;
  }
  if (cur === null || typeof cur !== 'object')
    throw new ApiError(422, 'Invalid', `doc is missing path: "${path}"`);
  return { parent: cur as Obj | Json[], last: segs[segs.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  let cur: Json | undefined = doc;
  for (const s of parsePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(s)] : isObj(cur) ? cur[s] : undefined;
    if (cur === undefined) throw new ApiError(422, 'Invalid', `doc is missing path: "${path}"`);
  }
  return cur as Json;
}

function removeAt(doc: Json, path: string): Json {
  const segs = parsePointer(path);
  const { parent, last } = resolveParent(doc, segs, path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length)) throw new ApiError(422, 'Invalid', `doc is missing path: "${path}"`);
    return parent.splice(i, 1)[0]!;
  }
  if (!Object.hasOwn(parent, last)) throw new ApiError(422, 'Invalid', `doc is missing path: "${path}"`);
  const v = parent[last]!;
  delete parent[last];
  return v;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const segs = parsePointer(path);
  if (segs.length === 0) return structuredClone(value);
  const { parent, last } = resolveParent(doc, segs, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length)) throw new ApiError(422, 'Invalid', `doc is missing path: "${path}"`);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else {
    if (replace && !Object.hasOwn(parent, last))
      throw new ApiError(422, 'Invalid', `doc is missing path: "${path}"`);
    parent[last] = structuredClone(value);
  }
  return doc;
}

export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw errors.badRequest('json patch must be an array of operations');
  let out = structuredClone(doc);
  for (const o of ops as Op[]) {
    switch (o.op) {
      case 'add':
        out = addAt(out, o.path, o.value ?? null, false);
        break;
      case 'replace':
        out = addAt(out, o.path, o.value ?? null, true);
        break;
      case 'remove':
        removeAt(out, o.path);
        break;
      case 'move': {
        const v = removeAt(out, o.from ?? '');
        out = addAt(out, o.path, v, false);
        break;
      }
      case 'copy':
        out = addAt(out, o.path, getAt(out, o.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, o.path)) !== JSON.stringify(o.value))
          throw new ApiError(
            422,
            'Invalid',
            `the server rejected our request due to an error in our request: testing value ${o.path} failed`,
          );
        break;
      default:
        throw errors.badRequest(`json patch: unknown operation "${o.op}"`);
    }
  }
  return out;
}
