// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * The object store: one global, monotonically increasing resourceVersion (like etcd's
 * revision), a bounded event history for watches, and compaction (old revisions expire).
 */
import { ApiError } from './errors.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface HistoryEntry {
  rv: number;
  type: EventType;
  /** resource key: group/plural */
  res: string;
  /** the object after the event (for DELETED, the last state, with the deletion's resourceVersion) */
  obj: any;
  /** the object before the event (undefined for ADDED) */
  prev?: any;
}

export interface Watcher {
  res: string;
  deliver(e: HistoryEntry): void;
}

export const objectKey = (namespace: string | undefined, name: string): string =>
  `${namespace ?? ''}/${name}`;

export class Store {
  private rv: number;
  private readonly objects = new Map<string, Map<string, any>>();
  private history: HistoryEntry[] = [];
  /** watches and exact lists from a resourceVersion below this one are expired */
  private compactedRv: number;
  readonly watchers = new Set<Watcher>();

  constructor(
    private readonly historyLimit = 2000,
    startRv = 1000,
  ) {
    this.rv = startRv;
    this.compactedRv = startRv;
  }

  currentRv(): number {
    return this.rv;
  }

  oldestRv(): number {
    return this.compactedRv;
  }

  get(res: string, namespace: string | undefined, name: string): any | undefined {
    const o = this.objects.get(res)?.get(objectKey(namespace, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  /** Current objects of a resource (optionally one namespace), sorted by namespace/name. */
  list(res: string, namespace?: string): any[] {
    const m = this.objects.get(res);
    if (!m) return [];
    const keys = [...m.keys()].sort();
    const out: any[] = [];
    for (const k of keys) {
      const o = m.get(k);
      if (namespace !== undefined && o.metadata?.namespace !== namespace) continue;
      out.push(structuredClone(o));
    }
    return out;
  }

  /**
   * The objects as they were at resourceVersion rv, rebuilt by undoing newer history.
   * Throws 410 Expired when rv was compacted away.
   */
  listAt(res: string, rv: number, namespace?: string): any[] {
    if (rv < this.compactedRv)
      throw new ApiError(410, 'Expired', `The resourceVersion for the provided list is too old.`);
    const m = new Map<string, any>();
    for (const o of this.list(res)) m.set(objectKey(o.metadata.namespace, o.metadata.name), o);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const e = this.history[i]!;
      if (e.rv <= rv) break;
      if (e.res !== res) continue;
      const k = objectKey(e.obj.metadata.namespace, e.obj.metadata.name);
      if (e.type === 'ADDED') m.delete(k);
      else m.set(k, structuredClone(e.prev));
    }
    return [...m.keys()]
      .sort()
      .map((k) => m.get(k))
      .filter((o) => namespace === undefined || o.metadata?.namespace === namespace);
  }

  /** Writes obj (assigning the next resourceVersion), records the event and tells watchers. */
  commit(type: EventType, res: string, obj: any): any {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    let m = this.objects.get(res);
    if (!m) {
      m = new Map();
      this.objects.set(res, m);
    }
    const prev = m.get(key);
    this.rv++;
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(this.rv);
    if (type === 'DELETED') m.delete(key);
    else m.set(key, stored);
    const entry: HistoryEntry = { rv: this.rv, type, res, obj: stored, prev };
    this.history.push(entry);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const w of [...this.watchers]) if (w.res === res) w.deliver(entry);
    return structuredClone(stored);
  }

  /** History entries of res after rv; throws 410 when rv is older than the retained history. */
  since(res: string, rv: number): HistoryEntry[] {
    if (rv < this.compactedRv)
      throw new ApiError(410, 'Expired', `too old resource version: ${rv} (${this.compactedRv + 1})`);
    return this.history.filter((e) => e.rv > rv && e.res === res);
  }

  /** Forgets all history: every resourceVersion older than the current one expires. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  /** Drops every object of a resource (used when a CRD is deleted). */
  dropResource(res: string): void {
    this.objects.delete(res);
  }
}
