/**
 * PURE. What the MetalLB converters share: one input document with its notes, the warning for
 * fields edgelb does not know, and MetalLB's ORed selector lists.
 */
import type { LabelSelector } from '../api/v1alpha1.ts';
import { isEmptySelector, toSelector } from './selector.ts';
import { asList, at, type Notes, type Rec } from './types.ts';

export interface Source {
  doc: Rec;
  name: string;
  notes: Notes;
}

export function warnUnknown(spec: Rec, known: string[], notes: Notes): void {
  for (const key of Object.keys(spec))
    if (!known.includes(key)) notes.warn(at('spec', key), 'is not a field edgelb knows; dropped');
}

/** ORed selectors: every one of them ([undefined] when none; an empty one matches everything). */
export function orSelectors(v: unknown, field: string, notes: Notes): (LabelSelector | undefined)[] {
  const out: LabelSelector[] = [];
  for (const [i, x] of asList(v).entries()) {
    const sel = toSelector(x, at(field, i), notes);
    if (sel) out.push(sel);
  }
  if (out.length === 0 || out.some(isEmptySelector)) return [undefined];
  return out;
}
