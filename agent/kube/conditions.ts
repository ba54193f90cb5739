/**
 * PURE. metav1.Condition bookkeeping: lastTransitionTime changes only when status changes;
 * a write is needed only when something a reader sees changed.
 */
import type { Condition } from '../api/v1alpha1.ts';

/** metav1.Time: RFC 3339, whole seconds. */
export function metaTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** Replaces (or appends) the condition of the same type, keeping lastTransitionTime unless status changed. */
export function setCondition(
  existing: readonly Condition[] | undefined,
  next: ConditionInput,
  now: number,
): Condition[] {
  const list = [...(existing ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const merged: Condition = {
    type: next.type,
    status: next.status,
    reason: next.reason || 'Unknown',
    message: next.message ?? '',
    lastTransitionTime:
      prev && prev.status === next.status && prev.lastTransitionTime
        ? prev.lastTransitionTime
        : metaTime(now),
    ...(next.observedGeneration !== undefined ? { observedGeneration: next.observedGeneration } : {}),
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export function setConditions(
  existing: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  now: number,
): Condition[] {
  let list = [...(existing ?? [])];
  for (const c of next) list = setCondition(list, c, now);
  return list;
}

/** Same type, status, reason, message and observedGeneration (lastTransitionTime is derived). */
export function sameConditions(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  return x.every((c) => {
    const d = y.find((e) => e.type === c.type);
    return (
      !!d &&
      d.status === c.status &&
      d.reason === c.reason &&
      (d.message ?? '') === (c.message ?? '') &&
      d.observedGeneration === c.observedGeneration &&
      d.lastTransitionTime === c.lastTransitionTime
    );
  });
}
