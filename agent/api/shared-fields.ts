/**
 * PURE. Field definitions more than one resource uses: the Kubernetes LabelSelector
 * (with the API server's rules for values per operator) and metav1.Condition lists.
 */
import { int, oneOf, oneOfMissing, required, string, stringMap } from './schema/field.ts';
import { list, object } from './schema/object.ts';
import type { Condition, LabelSelector, LabelSelectorRequirement } from './v1alpha1.ts';
import { looseConditions } from './validate/fields.ts';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

const requirement = object<LabelSelectorRequirement>(
  'A label requirement: key, operator, and values for In/NotIn.',
  {
    key: required(string('The label key the requirement applies to.', { nonEmpty: true, maxLength: 317 })),
    operator: required(
      oneOf('How the key relates to the values: In, NotIn, Exists or DoesNotExist.', OPERATORS),
      oneOfMissing(OPERATORS),
    ),
    values: list(
      'Values for In and NotIn (non-empty); empty for Exists and DoesNotExist.',
      string('A label value.'),
    ),
  },
  {
    checks: [
      {
        uses: ['operator', 'values'],
        check(r, path, out) {
          const n = r.values?.length ?? 0;
          if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0)
            out.push({ path: `${path}.values`, message: `must not be empty for operator ${r.operator}` });
          if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0)
            out.push({ path: `${path}.values`, message: `must be empty for operator ${r.operator}` });
          if (r.values && n === 0) delete r.values;
        },
      },
    ],
  },
);

/** A Kubernetes LabelSelector: every term must match; `{}` matches everything. */
export function labelSelector(description: string) {
  return object<LabelSelector>(
    description,
    {
      matchLabels: stringMap('Labels that must all be present with these values.'),
      matchExpressions: list('Label requirements that must all hold.', requirement),
    },
    { extra: { 'x-kubernetes-map-type': 'atomic' } },
  );
}

const condition = object<Condition>('A metav1.Condition.', {
  type: required(string('Condition type, e.g. Valid, Ready, Conflict.', { maxLength: 316 })),
  status: required(oneOf('True, False or Unknown.', ['True', 'False', 'Unknown'])),
  reason: required(
    string('A CamelCase word saying why the condition has this status.', { nonEmpty: true, maxLength: 1024 }),
  ),
  message: required(string('What a person should know about the condition.', { maxLength: 32768 })),
  lastTransitionTime: required(string('When the status last changed (RFC 3339).', { format: 'date-time' })),
  observedGeneration: int('metadata.generation the condition was computed from.', 0, Number.MAX_SAFE_INTEGER),
});

/** status.conditions, written by edgelb (one entry per type) and read back leniently. */
export const conditions = list('Conditions edgelb reports about this object, one per type.', condition, {
  extra: { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  loose: looseConditions,
});
