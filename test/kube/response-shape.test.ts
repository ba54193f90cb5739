/**
 * The shape checks never throw, whatever JSON arrives, and what they accept is what the
 * informer relies on: items an array of objects with a string metadata.name, events of a known
 * type with an object.
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { checkList, checkWatchEvent } from '../../agent/kube/response-shape.ts';
import { seeded } from '../support/property.ts';

const named = fc.record({
  kind: fc.option(fc.constantFrom('Service', 'Node', 'LoadBalancerIPPool'), { nil: undefined }),
  metadata: fc.record({ name: fc.string(), namespace: fc.option(fc.string(), { nil: undefined }) }),
});
const anything = fc.oneof(fc.jsonValue(), named, fc.array(fc.oneof(named, fc.jsonValue())));

describe('response shapes', () => {
  test('checkList never throws; ok means an array of named objects of the kind', () => {
    fc.assert(
      fc.property(
        fc.record({ kind: fc.option(fc.string(), { nil: undefined }), items: anything, metadata: anything }),
        fc.option(fc.constantFrom('Service', 'Node'), { nil: undefined }),
        (body, kind) => {
          const r = checkList(body, kind);
          if (!r.ok) {
            expect(r.reason.length).toBeGreaterThan(0);
            return;
          }
          expect(Array.isArray(r.value.items)).toBe(true);
          for (const it of r.value.items as { kind?: string; metadata: { name: unknown } }[]) {
            expect(typeof it.metadata.name).toBe('string');
            expect(it.metadata.name).not.toBe('');
            if (kind && it.kind !== undefined) expect(it.kind).toBe(kind);
          }
        },
      ),
      seeded(500),
    );
  });

  test('checkWatchEvent never throws; ok means a known type and an object', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anything,
          fc.record({
            type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR', 'X'),
            object: anything,
          }),
        ),
        (e) => {
          const r = checkWatchEvent(e, 'Service');
          if (r.ok) expect(typeof r.value.object).toBe('object');
        },
      ),
      seeded(500),
    );
  });

  test('the shapes of the issue', () => {
    expect(checkList({ items: [null] })).toEqual({ ok: false, reason: 'items[0] is null, not an object' });
    expect(checkList({ items: {} })).toEqual({ ok: false, reason: 'items is an object, not an array' });
    expect(checkList({ items: null })).toEqual({ ok: false, reason: 'items is null, not an array' });
    expect(checkList(null)).toEqual({ ok: false, reason: 'the list is null, not an object' });
    expect(checkList({ items: [], metadata: { resourceVersion: '7' } })).toEqual({
      ok: true,
      value: { items: [], resourceVersion: '7' },
    });
    expect(checkWatchEvent({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }).ok).toBe(
      true,
    );
    expect(checkWatchEvent({ type: 'ERROR', object: { kind: 'Status', code: 410 } }).ok).toBe(true);
    expect(
      checkWatchEvent({ type: 'ADDED', object: { kind: 'Node', metadata: { name: 'n' } } }, 'Service'),
    ).toEqual({
      ok: false,
      reason: "an ADDED event's object is a Node, not a Service",
    });
  });
});

describe('response shapes: exact edges', () => {
  const svc = (metadata: Record<string, unknown>) => ({ kind: 'Service', metadata });

  test('a namespace must be a string when present', () => {
    expect(checkList({ items: [svc({ name: 'a', namespace: 'default' })] }, 'Service')).toMatchObject({
      ok: true,
    });
    expect(checkList({ items: [svc({ name: 'a', namespace: 7 })] }, 'Service')).toEqual({
      ok: false,
      reason: 'items[0] has a metadata.namespace that is not a string',
    });
  });

  test("the list's own resourceVersion must be a string when present", () => {
    expect(checkList({ metadata: { resourceVersion: 12 }, items: [] })).toEqual({
      ok: false,
      reason: 'the list has a metadata.resourceVersion that is not a string',
    });
    expect(checkList({ metadata: { resourceVersion: '12' }, items: [] })).toEqual({
      ok: true,
      value: { items: [], resourceVersion: '12' },
    });
    expect(checkList({ items: [] })).toEqual({ ok: true, value: { items: [], resourceVersion: '' } });
  });

  test('an unknown event type is quoted, cut at 40 characters', () => {
    const type = 'X'.repeat(60);
    expect(checkWatchEvent({ type, object: {} })).toEqual({
      ok: false,
      reason: `a watch event has an unknown type "${'X'.repeat(39)}`,
    });
  });
});
