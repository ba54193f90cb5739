/**
 * The standalone source: pools, peering and L2 announcement policies, Services, EndpointSlices and Secrets
 * from YAML manifests in a directory, status in a state file, and this node always the
 * leader. Reloads on change (fs.watch on the directory, debounced) and on reload()
 * (SIGHUP). A bad file is reported naming the file and object, and its last good
 * version stays in force. Reading the directory: files-load.ts; the observed state: files-observed.ts.
 */
import type { ServiceObject } from '../api/core.ts';
import { serviceKey } from '../api/core.ts';
import { type Clock, monotonicNow } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { type FileEntry, readManifests } from './files-load.ts';
import type { LoadedObject } from './files-manifests.ts';
import { buildObserved, l2StatusKey, nodeObject, ownedServices } from './files-observed.ts';
import { StatusStore } from './files-status.ts';
import { DebouncedDirWatch } from './files-watch.ts';
import type { EventKind, Leadership, ObservedState, Source, StatusWriter } from './types.ts';

export interface FilesSourceOptions {
  /** Directory of *.yaml / *.yml manifests. */
  manifests: string;
  /** Path of the allocation state file. */
  state: string;
  nodeName: string;
  nodeLabels: Record<string, string>;
  /** This node's InternalIP (default router ID and next hop). */
  nodeAddress?: string;
  clock: Clock;
  log: Logger;
  /** Quiet time after the last change before reloading (default 200 ms). */
  debounceMs?: number;
  loadBalancerClass?: string;
  claimServicesWithoutClass?: boolean;
}

/** Identical events for one Service are logged once per this window. */
const EVENT_REPEAT_MS = 10 * 60 * 1000;

export class FilesSource implements Source {
  readonly kind = 'files' as const;
  readonly writer: StatusWriter;
  readonly leadership: Leadership;

  private readonly opts: FilesSourceOptions;
  private readonly store: StatusStore;
  private readonly files = new Map<string, FileEntry>();
  private manifestProblems: string[] = [];
  private dirProblem: string | undefined;
  private objects: LoadedObject[] = [];
  /** Keys of the Services this source hands to the loop (LoadBalancer, our class). */
  private owned = new Set<string>();
  private fingerprint = '';
  private synced = false;
  private snapshot: ObservedState | undefined;
  private onChange: () => void = () => {};
  private readonly watch: DebouncedDirWatch;
  private stopped = false;
  private readonly lastEvents = new Map<string, { sig: string; at: number; repeats: number }>();

  constructor(opts: FilesSourceOptions) {
    this.opts = opts;
    this.store = new StatusStore(opts.state, opts.clock, opts.log);
    this.watch = new DebouncedDirWatch({
      dir: opts.manifests,
      clock: opts.clock,
      log: opts.log,
      debounceMs: opts.debounceMs ?? 200,
      onFire: () => void this.reload(),
    });
    this.leadership = { isLeader: () => true, holder: () => opts.nodeName };
    this.writer = {
      writeServiceStatus: async (svc, status) => {
        const key = serviceKey(svc);
        if (!this.owned.has(key)) return false;
        if (this.store.setService(key, status, { defer: true })) this.changed();
        return true;
      },
      // Once per reconcile pass, before anything is announced: the allocations are on disk first.
      // A failure throws (logged, shown in /status): the pass stops before announcing and is retried.
      flush: async () => this.store.flush(),
      writePoolStatus: async (pool, status) => {
        if (this.store.setPool(pool.metadata.name, status)) this.changed();
      },
      writePolicyStatus: async (policy, valid) => {
        if (this.store.setPolicy(policy.metadata.name, valid)) this.changed();
      },
      writeL2PolicyStatus: async (policy, valid) => {
        if (this.store.setPolicy(l2StatusKey(policy.metadata.name), valid)) this.changed();
      },
      event: (svc, kind, type, message) => this.event(svc, kind, type, message),
      nodeEvent: (svc, kind, type, message) => this.event(svc, kind, type, message),
    };
  }

  async start(onChange: () => void): Promise<void> {
    this.onChange = onChange;
    this.store.load();
    this.load({ prune: true });
    this.synced = true;
    this.watch.start();
    this.snapshot = undefined;
    onChange();
  }

  /** Re-reads every manifest now (SIGHUP). */
  async reload(): Promise<void> {
    if (this.stopped) return;
    this.watch.cancel();
    if (this.load({ prune: true })) this.changed();
  }

  observe(): ObservedState {
    this.snapshot ??= this.build();
    return this.snapshot;
  }

  problems(): string[] {
    return [
      ...(this.dirProblem ? [this.dirProblem] : []),
      ...this.manifestProblems,
      ...this.store.problems(),
    ];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch.stop();
    try {
      this.store.flush(); // the writes of an unfinished pass
    } catch {
      // Logged by the store; the last flushed state stays on disk.
    }
  }

  // ------------------------------------------------------------ loading

  /** Reads the directory; returns true when the objects or problems changed. */
  private load({ prune }: { prune: boolean }): boolean {
    const { log } = this.opts;
    const read = readManifests(this.opts.manifests, this.files, log);
    if (!read.ok) {
      const msg = `manifests directory ${this.opts.manifests} ${read.why}; keeping the objects loaded before`;
      const changed = msg !== this.dirProblem;
      if (changed) log.error(msg);
      this.dirProblem = msg;
      return changed;
    }
    this.dirProblem = undefined;
    const { objects, problems } = read;

    const before = new Set(this.manifestProblems);
    for (const p of problems) if (!before.has(p)) log.error(p);
    if (problems.length === 0 && this.manifestProblems.length > 0) log.info('manifest problems resolved');
    const problemsChanged = problems.join('\n') !== this.manifestProblems.join('\n');
    this.manifestProblems = problems;

    const fingerprint = JSON.stringify(objects.map((o) => o.object));
    const objectsChanged = fingerprint !== this.fingerprint;
    this.fingerprint = fingerprint;
    this.objects = objects;
    this.owned = new Set(this.ownedServices().map((s) => serviceKey(s)));
    if (objectsChanged) {
      const count = (k: string) => objects.filter((o) => o.object.kind === k).length;
      log.info('manifests loaded', {
        dir: this.opts.manifests,
        files: this.files.size,
        pools: count('LoadBalancerIPPool'),
        policies: count('BGPPeeringPolicy'),
        l2Policies: count('L2AnnouncementPolicy'),
        services: count('Service'),
      });
    }
    // Status of objects that are gone is dropped, as deleting them does in the API; never
    // while a file is bad, since its objects might only be missing because of the error.
    if (prune && problems.length === 0) this.prune();
    if (objectsChanged || problemsChanged) this.snapshot = undefined;
    return objectsChanged || problemsChanged;
  }

  private prune(): void {
    const names = (k: string) =>
      new Set(
        this.objects
          .filter((o) => o.object.kind === k)
          .map((o) => (o.object.value as { metadata: { name: string } }).metadata.name),
      );
    try {
      const policies = new Set([
        ...names('BGPPeeringPolicy'),
        ...[...names('L2AnnouncementPolicy')].map(l2StatusKey),
      ]);
      const dropped = this.store.prune(this.owned, names('LoadBalancerIPPool'), policies);
      for (const key of dropped) {
        this.opts.log.info('allocation released: the Service is no longer in the manifests', {
          service: key,
        });
        this.lastEvents.delete(key);
      }
    } catch {
      // Reported by the store; retried on the next write.
    }
  }

  private ownedServices(): ServiceObject[] {
    return ownedServices(this.objects, this.opts.loadBalancerClass, this.opts.claimServicesWithoutClass);
  }

  private build(): ObservedState {
    const { nodeName, nodeLabels, nodeAddress } = this.opts;
    const node = nodeObject(nodeName, nodeLabels, nodeAddress);
    return buildObserved(this.objects, this.ownedServices(), this.store, node, this.synced);
  }

  // ------------------------------------------------------------ status side

  private changed(): void {
    this.snapshot = undefined;
    queueMicrotask(() => this.onChange());
  }

  private event(svc: ServiceObject, kind: EventKind, type: 'Normal' | 'Warning', message: string): void {
    const key = serviceKey(svc);
    const sig = `${kind}\n${type}\n${message}`;
    // The repeat window is a duration: monotonic, so a wall-clock step back does not mute a line for longer.
    const now = monotonicNow(this.opts.clock);
    const last = this.lastEvents.get(key);
    if (last && last.sig === sig && now - last.at < EVENT_REPEAT_MS) {
      last.repeats++;
      return;
    }
    const fields = { service: key, reason: kind, type, message };
    const repeats = last?.sig === sig ? last.repeats : 0;
    this.opts.log.info('event', repeats ? { ...fields, repeats } : fields);
    this.lastEvents.set(key, { sig, at: now, repeats: 0 });
  }
}
