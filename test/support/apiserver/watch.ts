// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * One watch stream: replays history from a resourceVersion (or sends the current objects as
 * ADDED), follows live events with selector transitions (ADDED/DELETED when an object enters
 * or leaves the selection), sends BOOKMARKs, honours timeoutSeconds, and answers a too-old
 * resourceVersion with an ERROR event carrying a 410 Expired Status.
 */
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.ts';
import type { Api } from './objects.ts';
import type { ResourceDef } from './resources.ts';
import { type FieldSelector, type LabelSelector, matchFields, matchLabels } from './selectors.ts';
import type { HistoryEntry, Watcher } from './store.ts';
import { toTable } from './table.ts';

export interface WatchParams {
  def: ResourceDef;
  version: string;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldSelector;
  resourceVersion?: string;
  bookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutMs: number;
  bookmarkIntervalMs: number;
  table?: { includeObject?: string };
  path: string;
}

export class WatchStream implements Watcher {
  readonly res: string;
  private closed = false;
  private buffer: string[] = [];
  private timers: ReturnType<typeof setTimeout>[] = [];
  private firstTableSent = false;

  constructor(
    private readonly api: Api,
    private readonly out: ServerResponse,
    private readonly p: WatchParams,
    private readonly isHung: (path: string) => boolean,
    private readonly onClose: (w: WatchStream) => void,
  ) {
    this.res = api.key(p.def);
  }

  start(): void {
    this.out.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    this.out.flushHeaders?.();
    this.out.on('close', () => this.close());
    const { store } = this.api;
    const rv = this.p.resourceVersion;
    const initial = this.p.sendInitialEvents ?? (rv === undefined || rv === '' || rv === '0');
    let replay: HistoryEntry[] = [];
    if (!initial) {
      const n = Number(rv);
      if (!Number.isInteger(n)) {
        this.error(new ApiError(400, 'BadRequest', `invalid resource version: ${rv}`));
        return;
      }
      try {
        replay = store.since(this.res, n);
      } catch (e) {
        this.error(e as ApiError);
        return;
      }
    }
    store.watchers.add(this);
    if (initial) {
      const objs = store.list(this.res, this.p.def.namespaced ? this.p.namespace : undefined);
      for (const o of objs) if (this.matches(o)) this.send('ADDED', o);
      if (this.p.sendInitialEvents && this.p.bookmarks) this.bookmark(true);
    }
    for (const e of replay) this.deliver(e);
    if (this.p.bookmarks) {
      const tick = () => {
        if (this.closed) return;
        this.bookmark(false);
        this.timers.push(setTimeout(tick, this.p.bookmarkIntervalMs));
      };
      this.timers.push(setTimeout(tick, this.p.bookmarkIntervalMs));
    }
    this.timers.push(setTimeout(() => this.end(), this.p.timeoutMs));
  }

  private matches(stored: any): boolean {
    const o = this.p.def.fromStorage ? this.p.def.fromStorage(stored) : stored;
    if (this.p.def.namespaced && this.p.namespace !== undefined && o.metadata?.namespace !== this.p.namespace)
      return false;
    return matchLabels(this.p.labels, o.metadata?.labels) && matchFields(this.p.fields, o);
  }

  deliver(e: HistoryEntry): void {
    const now = this.matches(e.obj);
    const before = e.prev !== undefined && this.matches(e.prev);
    if (e.type === 'ADDED' && now) this.send('ADDED', e.obj);
    else if (e.type === 'DELETED' && now) this.send('DELETED', e.obj);
    else if (e.type === 'MODIFIED') {
      if (now && before) this.send('MODIFIED', e.obj);
      else if (now) this.send('ADDED', e.obj);
      else if (before) this.send('DELETED', e.obj);
    }
  }

  private send(type: string, obj: any): void {
    const { def, version, table } = this.p;
    let object = this.api.present(def, version, obj);
    if (table) {
      object = toTable(def, version, [object], {
        includeObject: table.includeObject,
        withColumns: !this.firstTableSent,
      });
      this.firstTableSent = true;
    }
    this.write({ type, object });
  }

  bookmark(initialEnd: boolean): void {
    const metadata: any = { resourceVersion: String(this.api.store.currentRv()) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.write({
      type: 'BOOKMARK',
      object: {
        kind: this.p.def.kind,
        apiVersion: this.api.present(this.p.def, this.p.version, {}).apiVersion,
        metadata,
      },
    });
  }

  bookmarkIfAllowed(): void {
    if (this.p.bookmarks) this.bookmark(false);
  }

  private write(ev: unknown): void {
    if (this.closed) return;
    this.buffer.push(`${JSON.stringify(ev)}\n`);
    this.flush();
  }

  /** Writes buffered events unless requests on this path are hung (a partition holds them). */
  flush(): void {
    if (this.closed || this.isHung(this.p.path) || this.buffer.length === 0) return;
    this.out.write(this.buffer.join(''));
    this.buffer = [];
  }

  /** ERROR event with a Status, then the stream ends (what the real server does for 410). */
  error(e: ApiError): void {
    this.write({ type: 'ERROR', object: e.toStatus() });
    this.end();
  }

  end(): void {
    if (this.closed) return;
    this.flush();
    this.close();
    this.out.end();
  }

  /** Abrupt close: the TCP connection is reset mid-stream. */
  drop(): void {
    if (this.closed) return;
    this.close();
    this.out.socket?.destroy();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.api.store.watchers.delete(this);
    this.onClose(this);
  }
}
