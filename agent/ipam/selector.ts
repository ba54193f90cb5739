/**
 * PURE. Kubernetes LabelSelector matching (matchLabels and matchExpressions with In, NotIn,
 * Exists, DoesNotExist; all terms ANDed). An absent selector matches everything. A Service's
 * labels are extended with the pseudo-labels io.kubernetes.service.namespace and
 * io.kubernetes.service.name, so pools can select by namespace or name with no special case.
 */
import { type LabelSelector, SERVICE_NAME_LABEL, SERVICE_NAMESPACE_LABEL } from '../api/v1alpha1.ts';

export type Matcher = (labels: Record<string, string>) => boolean;

export type CompiledSelector = { ok: true; matches: Matcher } | { ok: false; error: string };

/** The matcher of an absent or empty selector: callers may skip building labels for it. */
export const matchesAll: Matcher = () => true;

export function compileSelector(sel: LabelSelector | undefined): CompiledSelector {
  if (!sel) return { ok: true, matches: matchesAll };
  const tests: Matcher[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}))
    tests.push((l) => Object.hasOwn(l, k) && l[k] === v);
  for (const [i, e] of (sel.matchExpressions ?? []).entries()) {
    const values = e.values ?? [];
    const where = `matchExpressions[${i}] (key ${JSON.stringify(e.key)})`;
    switch (e.operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0) return { ok: false, error: `${where}: operator ${e.operator} needs values` };
        const set = new Set(values);
        tests.push(
          e.operator === 'In'
            ? (l) => Object.hasOwn(l, e.key) && set.has(l[e.key] as string)
            : (l) => !Object.hasOwn(l, e.key) || !set.has(l[e.key] as string),
        );
        break;
      }
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          return { ok: false, error: `${where}: operator ${e.operator} takes no values` };
        tests.push(
          e.operator === 'Exists' ? (l) => Object.hasOwn(l, e.key) : (l) => !Object.hasOwn(l, e.key),
        );
        break;
      default:
        return {
          ok: false,
          error: `${where}: unknown operator ${JSON.stringify((e as { operator: unknown }).operator)}`,
        };
    }
  }
  if (tests.length === 0) return { ok: true, matches: matchesAll };
  return { ok: true, matches: (l) => tests.every((t) => t(l)) };
}

/** The labels a pool selector sees for a Service: its own plus the two pseudo-labels. */
export function serviceLabels(
  namespace: string,
  name: string,
  labels: Record<string, string>,
): Record<string, string> {
  return { ...labels, [SERVICE_NAMESPACE_LABEL]: namespace, [SERVICE_NAME_LABEL]: name };
}

/** One-off match; an invalid selector matches nothing. Compile once with compileSelector in loops. */
export function matchesSelector(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  const c = compileSelector(sel);
  return c.ok && c.matches(labels);
}
