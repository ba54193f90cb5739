/** Label and field selectors, parsed like k8s.io/apimachinery/pkg/labels and pkg/fields. */
import { errors } from './errors.ts';

type LabelReq =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type LabelSelector = LabelReq[];

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key))
    throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}
function checkValue(v: string, raw: string): string {
  if (!VALUE.test(v) || v.length > 63)
    throw errors.badRequest(`unable to parse requirement: invalid label value: "${v}" in "${raw}"`);
  return v;
}

export function parseLabelSelector(raw: string | null): LabelSelector {
  if (!raw) return [];
  return splitTop(raw).map((part): LabelReq => {
    let m = /^(.+?)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (m) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), raw));
      return { op: m[2] as 'in' | 'notin', key: checkKey(m[1]!.trim(), raw), values };
    }
    m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (m) {
      const op = m[2] === '!=' ? 'neq' : 'eq';
      return { op, key: checkKey(m[1]!.trim(), raw), value: checkValue(m[3]!.trim(), raw) };
    }
    if (part.startsWith('!')) return { op: 'notexists', key: checkKey(part.slice(1).trim(), raw) };
    return { op: 'exists', key: checkKey(part, raw) };
  });
}

export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.value;
      case 'neq':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      default:
        return false;
    }
  });
}

export type FieldSelector = { field: string; op: 'eq' | 'neq'; value: string }[];

export function parseFieldSelector(raw: string | null, allowed: string[], kind: string): FieldSelector {
  if (!raw) return [];
  return splitTop(raw).map((part) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw errors.badRequest(`invalid selector: '${raw}'; can't understand '${part}'`);
    const field = m[1]!.trim();
    if (!allowed.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
    void kind;
    return { field, op: m[2] === '!=' ? 'neq' : 'eq', value: m[3]!.trim() };
  });
}

/** Reads a dotted path ("spec.type", "involvedObject.name") from an object as a string. */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function matchFields(sel: FieldSelector, obj: unknown): boolean {
  return sel.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === 'eq'));
}
