/** PURE. Kubernetes LabelSelectors as edgelb writes them: copied, combined with AND. */
import type { LabelSelector, LabelSelectorRequirement } from '../api/v1alpha1.ts';
import { isMap, type Notes, type Rec } from './types.ts';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Copies a LabelSelector (only matchLabels and matchExpressions); an error for anything malformed. */
export function toSelector(v: unknown, field: string, notes: Notes): LabelSelector | undefined {
  if (!isMap(v)) {
    notes.error(field, 'must be a label selector (matchLabels/matchExpressions)');
    return undefined;
  }
  const out: LabelSelector = {};
  for (const key of Object.keys(v)) {
    if (key !== 'matchLabels' && key !== 'matchExpressions') {
      notes.error(`${field}.${key}`, 'is not a label selector field');
      return undefined;
    }
  }
  if (isMap(v.matchLabels)) {
    out.matchLabels = {};
    for (const [k, val] of Object.entries(v.matchLabels)) out.matchLabels[k] = String(val);
  }
  if (Array.isArray(v.matchExpressions)) {
    out.matchExpressions = [];
    for (const [i, e] of v.matchExpressions.entries()) {
      const r = e as Rec;
      if (!isMap(e) || typeof r.key !== 'string' || !OPERATORS.includes(String(r.operator))) {
        notes.error(
          `${field}.matchExpressions[${i}]`,
          'must have a key and an operator In, NotIn, Exists or DoesNotExist',
        );
        return undefined;
      }
      const req: LabelSelectorRequirement = {
        key: r.key,
        operator: r.operator as LabelSelectorRequirement['operator'],
      };
      if (Array.isArray(r.values)) req.values = r.values.map(String);
      out.matchExpressions.push(req);
    }
  }
  return out;
}

export function isEmptySelector(s: LabelSelector | undefined): boolean {
  return (
    s !== undefined &&
    Object.keys(s.matchLabels ?? {}).length === 0 &&
    (s.matchExpressions ?? []).length === 0
  );
}

/**
 * The AND of selectors (undefined ones are ignored): matchLabels merged, expressions
 * concatenated. Two different values for one key cannot both match: that becomes an
 * In expression for each, which matches nothing, as the AND does.
 */
export function andSelectors(...selectors: (LabelSelector | undefined)[]): LabelSelector | undefined {
  const given = selectors.filter((s): s is LabelSelector => s !== undefined);
  if (given.length === 0) return undefined;
  if (given.length === 1) return given[0];
  const labels: Record<string, string> = {};
  const exprs: LabelSelectorRequirement[] = [];
  for (const s of given) {
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
      if (labels[k] !== undefined && labels[k] !== v) exprs.push({ key: k, operator: 'In', values: [v] });
      else labels[k] = v;
    }
    for (const e of s.matchExpressions ?? []) {
      if (!exprs.some((x) => JSON.stringify(x) === JSON.stringify(e))) exprs.push(e);
    }
  }
  const out: LabelSelector = {};
  if (Object.keys(labels).length > 0) out.matchLabels = labels;
  if (exprs.length > 0) out.matchExpressions = exprs;
  return out;
}
