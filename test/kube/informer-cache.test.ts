/** kube/informer-cache.ts on its own: list replacement (all or nothing), watch upserts and deletes, changed keys. */
import { describe, expect, test } from 'bun:test';
import { InformerCache, MalformedError } from '../../agent/kube/informer-cache.ts';

interface Obj {
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; managedFields?: unknown };
  spec?: { v: number; skip?: boolean; boom?: boolean };
}

const obj = (name: string, rv: string, v = 1, extra: Partial<Obj['spec']> = {}): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv, managedFields: [{ manager: 'x' }] },
  spec: { v, ...extra },
});
const list = (...items: Obj[]) => ({ kind: 'ThingList', metadata: { resourceVersion: '100' }, items });

function cache(o: { project?: boolean; track?: boolean } = {}) {
  const projected: string[] = [];
  const c = new InformerCache<Obj>({
    kind: 'Thing',
    trackChanges: o.track ?? true,
    filter: (x) => {
      if (x.spec?.boom) throw new Error('cannot read spec');
      return !x.spec?.skip;
    },
    ...(o.project
      ? {
          project: (x: Obj, previous: Obj | undefined) => {
            projected.push(`${x.metadata.name}@${x.metadata.resourceVersion}${previous ? ' (had one)' : ''}`);
            return { metadata: { ...x.metadata }, spec: { v: (x.spec?.v ?? 0) * 10 } };
          },
        }
      : {}),
  });
  return { c, projected };
}

describe('replace: a list becomes the cache', () => {
  test('filtered objects stay out; keys are namespace/name; the resourceVersion comes back', () => {
    const { c } = cache();
    const r = c.replace(list(obj('a', '1'), obj('b', '2', 1, { skip: true }), obj('c', '3')));
    expect(r).toEqual({ changed: true, resourceVersion: '100' });
    expect(c.size).toBe(2);
    expect(c.list().map((o) => o.metadata.name)).toEqual(['a', 'c']);
    expect(c.get('ns/a')?.spec?.v).toBe(1);
    expect(c.get('ns/b')).toBeUndefined();
    expect(c.get('a')).toBeUndefined();
  });

  test('without a projection managedFields are dropped; with one the projection decides', () => {
    const plain = cache();
    plain.c.replace(list(obj('a', '1')));
    expect(plain.c.get('ns/a')?.metadata.managedFields).toBeUndefined();
    const proj = cache({ project: true });
    proj.c.replace(list(obj('a', '1')));
    expect(proj.c.get('ns/a')?.metadata.managedFields).toEqual([{ manager: 'x' }]);
    expect(proj.c.get('ns/a')?.spec?.v).toBe(10);
  });

  test('an unchanged resourceVersion keeps the cached object (no new projection, not changed)', () => {
    const { c, projected } = cache({ project: true });
    c.replace(list(obj('a', '1'), obj('b', '1')));
    const a = c.get('ns/a');
    expect(c.takeChanges()).toBe('all');
    const r = c.replace(list(obj('a', '1', 5), obj('b', '2', 7)));
    expect(r.changed).toBe(true);
    expect(c.get('ns/a')).toBe(a!);
    expect(c.get('ns/a')?.spec?.v).toBe(10);
    expect(c.get('ns/b')?.spec?.v).toBe(70);
    expect(projected).toEqual(['a@1', 'b@1', 'b@2 (had one)']);
    expect([...(c.takeChanges() as Set<string>)]).toEqual(['ns/b']);
    // The same list again: nothing changed.
    expect(c.replace(list(obj('a', '1'), obj('b', '2'))).changed).toBe(false);
    expect(c.takeChanges()).toEqual(new Set());
  });

  test('an empty resourceVersion is never taken as unchanged', () => {
    const { c, projected } = cache({ project: true });
    c.replace(list(obj('a', '')));
    c.takeChanges();
    expect(c.replace(list(obj('a', ''))).changed).toBe(true);
    expect(projected).toEqual(['a@', 'a@ (had one)']);
    expect([...(c.takeChanges() as Set<string>)]).toEqual(['ns/a']);
  });

  test('objects missing from the new list are removed and reported changed', () => {
    const { c } = cache();
    c.replace(list(obj('a', '1'), obj('b', '1')));
    c.takeChanges();
    expect(c.replace(list(obj('a', '1'))).changed).toBe(true);
    expect(c.size).toBe(1);
    expect([...(c.takeChanges() as Set<string>)]).toEqual(['ns/b']);
  });

  test('a malformed list throws MalformedError with the reason and leaves the cache as it was', () => {
    const { c } = cache();
    c.replace(list(obj('a', '1')));
    c.takeChanges();
    expect(() => c.replace({ kind: 'ThingList', items: { a: 1 } })).toThrow(
      new MalformedError('items is an object, not an array'),
    );
    expect(() => c.replace({ kind: 'OtherList', items: [] })).toThrow(MalformedError);
    expect(c.list().map((o) => o.metadata.name)).toEqual(['a']);
    expect(c.takeChanges()).toEqual(new Set());
  });

  test('an item that cannot be handled throws naming its index and key; nothing is replaced', () => {
    const { c } = cache();
    c.replace(list(obj('a', '1')));
    c.takeChanges();
    let err: unknown;
    try {
      c.replace(list(obj('b', '1'), obj('c', '1', 1, { boom: true })));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MalformedError);
    expect((err as Error).message).toBe('items[1] (ns/c) could not be read: cannot read spec');
    expect(c.list().map((o) => o.metadata.name)).toEqual(['a']);
    expect(c.takeChanges()).toEqual(new Set());
  });

  test('the response items are released as they are taken', () => {
    const { c } = cache();
    const body = list(obj('a', '1'));
    c.replace(body);
    expect((body as { items?: unknown }).items).toBeUndefined();
  });
});

describe('watch events', () => {
  test('upsert caches (projected with the previous one) and marks the key; a filtered object is dropped', () => {
    const { c, projected } = cache({ project: true });
    c.replace(list());
    c.takeChanges();
    expect(c.upsert(obj('a', '1'))).toBe(true);
    expect(c.upsert(obj('a', '2', 3))).toBe(true);
    expect(c.get('ns/a')?.spec?.v).toBe(30);
    expect(projected).toEqual(['a@1', 'a@2 (had one)']);
    expect([...(c.takeChanges() as Set<string>)]).toEqual(['ns/a']);
    // Now filtered out: dropped, true because it was cached; again: false, no change.
    expect(c.upsert(obj('a', '3', 1, { skip: true }))).toBe(true);
    expect(c.size).toBe(0);
    expect([...(c.takeChanges() as Set<string>)]).toEqual(['ns/a']);
    expect(c.upsert(obj('a', '4', 1, { skip: true }))).toBe(false);
    expect(c.takeChanges()).toEqual(new Set());
  });

  test('delete drops a cached object (true, marked) and ignores an unknown one (false, unmarked)', () => {
    const { c } = cache();
    c.replace(list(obj('a', '1')));
    c.takeChanges();
    expect(c.delete(obj('zz', '1'))).toBe(false);
    expect(c.takeChanges()).toEqual(new Set());
    expect(c.delete(obj('a', '2'))).toBe(true);
    expect(c.get('ns/a')).toBeUndefined();
    expect([...(c.takeChanges() as Set<string>)]).toEqual(['ns/a']);
  });

  test('without trackChanges every take says all', () => {
    const { c } = cache({ track: false });
    c.replace(list(obj('a', '1')));
    expect(c.takeChanges()).toBe('all');
    c.upsert(obj('b', '1'));
    expect(c.takeChanges()).toBe('all');
  });
});
