/**
 * PURE. An informer's cache: the objects that pass `filter`, reduced by `project`, keyed
 * "namespace/name", with the keys changed since the last takeChanges(). A list replaces it
 * whole or not at all (a malformed list, or an item that cannot be handled, throws
 * MalformedError and leaves the cache untouched); a watch event sets or drops one object.
 */
import { errorMessage } from '../lib/errors.ts';
import { ChangedKeys } from './changed-keys.ts';
import { type InformerOptions, type KubeObject, objectKey } from './informer-options.ts';
import { checkList } from './response-shape.ts';

/** A response rejected for its content (not the connection): counted and logged once. */
export class MalformedError extends Error {}

export class InformerCache<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly changes: ChangedKeys;

  constructor(private readonly o: Pick<InformerOptions<T>, 'kind' | 'filter' | 'project' | 'trackChanges'>) {
    this.changes = new ChangedKeys(o.trackChanges === true);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** Number of cached objects. */
  get size(): number {
    return this.cache.size;
  }

  /**
   * The keys of objects added, changed or deleted since the last call, or 'all' when unknown
   * (before the first call, or when more keys changed than are worth listing). Needs trackChanges.
   */
  takeChanges(): ReadonlySet<string> | 'all' {
    return this.changes.take();
  }

  private markDirty(key: string): void {
    this.changes.mark(key, this.cache.size);
  }

  private keep(o: T): boolean {
    // managedFields are often the bulk of an object and edgelb never reads them (a projection
    // leaves them out anyway: no delete, which would slow the object down for nothing)
    if (!this.o.project) delete (o.metadata as { managedFields?: unknown }).managedFields;
    return this.o.filter ? this.o.filter(o) : true;
  }

  private project(o: T, previous: T | undefined): T {
    return this.o.project ? this.o.project(o, previous) : o;
  }

  /**
   * Checks a list response and makes it the cache; throws (leaving the cache untouched) when
   * the list or any of its items is malformed or cannot be handled. Returns whether it changed
   * and the list's resourceVersion.
   */
  replace(body: unknown): { changed: boolean; resourceVersion: string } {
    const checked = checkList(body, this.o.kind);
    if (!checked.ok) throw new MalformedError(checked.reason);
    const items = checked.value.items as T[];
    // The response is dropped item by item as the cache takes the projections.
    (body as { items?: unknown }).items = undefined;
    const next = new Map<string, T>();
    const dirty: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      items[i] = undefined as unknown as T;
      const key = objectKey(item);
      try {
        if (!this.keep(item)) continue;
        const old = this.cache.get(key);
        // An unchanged object keeps its cached identity (and no new projection is made).
        if (
          old &&
          old.metadata.resourceVersion === item.metadata.resourceVersion &&
          old.metadata.resourceVersion
        ) {
          next.set(key, old);
          continue;
        }
        next.set(key, this.project(item, old));
      } catch (err) {
        throw new MalformedError(`items[${i}] (${key}) could not be read: ${errorMessage(err)}`);
      }
      dirty.push(key);
    }
    for (const k of this.cache.keys()) if (!next.has(k)) dirty.push(k);
    this.cache.clear();
    for (const [k, v] of next) this.cache.set(k, v);
    for (const k of dirty) this.markDirty(k);
    return { changed: dirty.length > 0, resourceVersion: checked.value.resourceVersion };
  }

  /** A watched object added or modified: cached, or dropped when it no longer passes `filter`. */
  upsert(obj: T): boolean {
    const key = objectKey(obj);
    if (!this.keep(obj)) return this.drop(key);
    this.cache.set(key, this.project(obj, this.cache.get(key)));
    this.markDirty(key);
    return true;
  }

  /** A watched object deleted. Returns whether it was cached. */
  delete(obj: T): boolean {
    return this.drop(objectKey(obj));
  }

  private drop(key: string): boolean {
    if (!this.cache.delete(key)) return false;
    this.markDirty(key);
    return true;
  }
}
