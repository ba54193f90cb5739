/** agent/kube/changed-keys.ts: the keys changed since the last take(), or 'all'. */
import { describe, expect, test } from 'bun:test';
import { ChangedKeys } from '../../agent/kube/changed-keys.ts';

const SLACK = 1024;

describe('ChangedKeys', () => {
  test("the first take is 'all', then the keys marked since, then nothing", () => {
    const c = new ChangedKeys(true);
    c.mark('a', 10);
    expect(c.take()).toBe('all');
    expect(c.take()).toEqual(new Set());
    c.mark('ns/a', 10);
    c.mark('ns/b', 10);
    c.mark('ns/a', 10);
    expect(c.take()).toEqual(new Set(['ns/a', 'ns/b']));
    c.mark('ns/c', 10);
    expect(c.take()).toEqual(new Set(['ns/c']));
    expect(c.take()).toEqual(new Set());
  });

  test("not tracking: always 'all'", () => {
    const c = new ChangedKeys(false);
    expect(c.take()).toBe('all');
    c.mark('a', 10);
    expect(c.take()).toBe('all');
    expect(c.take()).toBe('all');
  });

  test(`keys are listed up to the cache size + ${SLACK}, one more is 'all' (once)`, () => {
    const fill = (c: ChangedKeys, n: number, cacheSize: number) => {
      for (let i = 0; i < n; i++) c.mark(`k${i}`, cacheSize);
    };
    const listed = new ChangedKeys(true);
    listed.take();
    fill(listed, SLACK + 5, 5);
    const keys = listed.take();
    expect(keys === 'all' ? -1 : keys.size).toBe(SLACK + 5);

    const flooded = new ChangedKeys(true);
    flooded.take();
    fill(flooded, SLACK + 6, 5);
    expect(flooded.take()).toBe('all');
    expect(flooded.take()).toEqual(new Set());
  });

  test("keys marked while a flood's 'all' is pending are not listed after it", () => {
    const c = new ChangedKeys(true);
    c.take();
    for (let i = 0; i < SLACK + 6; i++) c.mark(`k${i}`, 5);
    c.mark('during', 5);
    expect(c.take()).toBe('all');
    expect(c.take()).toEqual(new Set());
    c.mark('after', 5);
    expect(c.take()).toEqual(new Set(['after']));
  });
});
