/** agent/kube/response-shape.ts: each refusal of a list or a watch event by its exact reason. */
import { expect, test } from 'bun:test';
import { checkList, checkWatchEvent, objectProblem } from '../../agent/kube/response-shape.ts';

const svc = (metadata: unknown, extra: Record<string, unknown> = {}) => ({
  kind: 'Service',
  metadata,
  ...extra,
});

test.each([
  [svc({ name: 'a' }), undefined],
  [svc({ name: 'a', namespace: 'ns', resourceVersion: '5' }), undefined],
  [{ metadata: { name: 'a' } }, undefined],
  [svc({ name: '' }), 'x has no metadata.name'],
  [svc({ name: 5 }), 'x has no metadata.name'],
  [svc({}), 'x has no metadata.name'],
  [svc({ name: 'a', namespace: 5 }), 'x has a metadata.namespace that is not a string'],
  [svc({ name: 'a', resourceVersion: 5 }), 'x has a metadata.resourceVersion that is not a string'],
  [svc('m'), 'x has no metadata'],
  [{ kind: 'Pod', metadata: { name: 'a' } }, 'x is a Pod, not a Service'],
  [{ kind: 'Endpoints', metadata: { name: 'a' } }, 'x is an Endpoints, not a Service'],
  [null, 'x is null, not an object'],
  [[], 'x is an array, not an object'],
  [7, 'x is a number, not an object'],
])('objectProblem %j', (o, want) => {
  expect(objectProblem(o, 'Service', 'x')).toBe(want);
});

test('objectProblem without a kind accepts any kind', () => {
  expect(objectProblem({ kind: 'Pod', metadata: { name: 'a' } }, undefined, 'x')).toBeUndefined();
});

test.each([
  [
    { items: [], metadata: { resourceVersion: '7' } },
    { ok: true, value: { items: [], resourceVersion: '7' } },
  ],
  [
    { kind: 'ServiceList', items: [] },
    { ok: true, value: { items: [], resourceVersion: '' } },
  ],
  [
    { kind: 'PodList', items: [] },
    { ok: false, reason: 'the list is a PodList, not a ServiceList' },
  ],
  [{ items: null }, { ok: false, reason: 'items is null, not an array' }],
  [{}, { ok: false, reason: 'items is missing, not an array' }],
  [{ items: [svc({ name: 'a' }), svc({})] }, { ok: false, reason: 'items[1] has no metadata.name' }],
  [
    { items: [], metadata: { resourceVersion: 7 } },
    { ok: false, reason: 'the list has a metadata.resourceVersion that is not a string' },
  ],
  ['x', { ok: false, reason: 'the list is a string, not an object' }],
])('checkList %j', (body, want) => {
  expect(checkList(body, 'Service')).toStrictEqual(want as ReturnType<typeof checkList>);
});

test.each([
  [{ type: 'ADDED', object: svc({ name: 'a' }) }, true],
  [{ type: 'DELETED', object: svc({ name: 'a' }) }, true],
  [{ type: 'ERROR', object: { kind: 'Status', code: 410 } }, true],
  [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }, true],
  [{ type: 'BOOKMARK', object: { metadata: {} } }, 'a BOOKMARK event has no metadata.resourceVersion'],
  [{ type: 'BOOKMARK', object: { metadata: 'x' } }, 'a BOOKMARK event has no metadata.resourceVersion'],
  [{ type: 'MODIFIED', object: svc({}) }, "a MODIFIED event's object has no metadata.name"],
  [{ type: 'ADDED', object: 'x' }, "an ADDED event's object is a string"],
  [{ type: 'ADDED' }, "an ADDED event's object is missing"],
  [{ type: 'RESYNC', object: {} }, 'a watch event has an unknown type "RESYNC"'],
  [{ type: 5, object: {} }, 'a watch event has an unknown type 5'],
  [{ object: {} }, 'a watch event has an unknown type undefined'],
  [{ type: 'X'.repeat(60), object: {} }, `a watch event has an unknown type "${'X'.repeat(39)}`],
  [[], 'a watch event is an array, not an object'],
])('checkWatchEvent %j', (e, want) => {
  const r = checkWatchEvent(e, 'Service');
  expect(r.ok ? true : r.reason).toBe(want);
});
