/** agent/kube/changed-keys.ts: what the reconcile loop's incremental path is told changed. */
import { describe, expect, test } from 'bun:test';
import { ChangedKeys } from '../../agent/kube/changed-keys.ts';

describe('ChangedKeys', () => {
  test("the first take is 'all', and drops the keys marked before it", () => {
    const c = new ChangedKeys(true);
    c.mark('a/x', 10);
    expect(c.take()).toBe('all');
    const empty = c.take();
    expect(empty).not.toBe('all');
    expect([...(empty as ReadonlySet<string>)]).toEqual([]);
  });

  test('then exactly the keys marked since the last take, each once', () => {
    const c = new ChangedKeys(true);
    c.take();
    c.mark('a/x', 10);
    c.mark('b/y', 10);
    c.mark('a/x', 10);
    expect([...(c.take() as ReadonlySet<string>)]).toEqual(['a/x', 'b/y']);
    expect([...(c.take() as ReadonlySet<string>)]).toEqual([]);
    c.mark('c/z', 10);
    expect([...(c.take() as ReadonlySet<string>)]).toEqual(['c/z']);
  });

  test("not tracking: always 'all', keys are never kept", () => {
    const c = new ChangedKeys(false);
    expect(c.take()).toBe('all');
    c.mark('a/x', 10);
    expect(c.take()).toBe('all');
    expect(c.take()).toBe('all');
  });

  test("more keys than the cache's size plus 1024: 'all' once, then listing again", () => {
    const c = new ChangedKeys(true);
    c.take();
    for (let i = 0; i < 10 + 1024; i++) c.mark(`k/${i}`, 10);
    const listed = c.take();
    expect(listed).not.toBe('all');
    expect((listed as ReadonlySet<string>).size).toBe(1034);
    for (let i = 0; i < 10 + 1025; i++) c.mark(`k/${i}`, 10);
    expect(c.take()).toBe('all');
    for (let i = 0; i < 10 + 1025; i++) c.mark(`k/${i}`, 10);
    // While 'all' is pending, marks are not kept; after it, keys are listed again.
    c.mark('during/1', 10);
    expect(c.take()).toBe('all');
    expect([...(c.take() as ReadonlySet<string>)]).toEqual([]);
    c.mark('after/1', 10);
    expect([...(c.take() as ReadonlySet<string>)]).toEqual(['after/1']);
  });

  test("keys marked while an overflow's 'all' is pending are dropped with it", () => {
    const c = new ChangedKeys(true);
    c.take();
    for (let i = 0; i < 2000; i++) c.mark(`k/${i}`, 0);
    c.mark('late/1', 0);
    expect(c.take()).toBe('all');
    expect([...(c.take() as ReadonlySet<string>)]).toEqual([]);
  });
});
