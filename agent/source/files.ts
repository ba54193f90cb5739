/**
 * The standalone source: pools, peering and L2 announcement policies, Services, EndpointSlices and Secrets
 * from YAML manifests in a directory, status in a state file, and this node always the
 * leader. Reloads on change (fs.watch on the directory, debounced) and on reload()
 * (SIGHUP). A bad file is reported naming the file and object, and its last good
 * version stays in force.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EndpointSliceObject, NodeObject, ServiceObject } from '../api/core.ts';
import { serviceKey } from '../api/core.ts';
import {
  type BGPPeeringPolicy,
  type Condition,
  DEFAULT_LOAD_BALANCER_CLASS,
  type L2AnnouncementPolicy,
  type LoadBalancerIPPool,
} from '../api/v1alpha1.ts';
import { type Clock, monotonicNow } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { type LoadedObject, parseManifestFile } from './files-manifests.ts';
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

const MANIFEST = /^[^.].*\.ya?ml$/;
/** L2AnnouncementPolicy status in the state file's policies section: a key no BGP policy name can take. */
const l2StatusKey = (name: string) => `L2AnnouncementPolicy/${name}`;
/** Identical events for one Service are logged once per this window. */
const EVENT_REPEAT_MS = 10 * 60 * 1000;

interface FileEntry {
  objects: LoadedObject[];
  /** True when `objects` is a complete, problem-free version of the file. */
  good: boolean;
}

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
    let names: string[];
    try {
      names = readdirSync(this.opts.manifests)
        .filter((n) => MANIFEST.test(n))
        .sort();
      this.dirProblem = undefined;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why =
        e.code === 'ENOENT' ? 'does not exist' : e.code === 'ENOTDIR' ? 'is not a directory' : e.message;
      const msg = `manifests directory ${this.opts.manifests} ${why}; keeping the objects loaded before`;
      const changed = msg !== this.dirProblem;
      if (changed) log.error(msg);
      this.dirProblem = msg;
      return changed;
    }
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      const file = join(this.opts.manifests, name);
      seen.add(file);
      let text: string;
      try {
        if (!statSync(file).isFile()) continue;
        text = readFileSync(file, 'utf8');
      } catch (err) {
        problems.push(`${file}: cannot be read (${errorMessage(err)})${this.keeping(file)}`);
        continue;
      }
      const parsed = parseManifestFile(file, text);
      for (const i of parsed.ignored)
        log.debug('manifest object of a kind edgelb does not use, ignored', { object: i });
      if (parsed.problems.length === 0) {
        this.files.set(file, { objects: parsed.objects, good: true });
        continue;
      }
      const suffix = this.keeping(file);
      problems.push(...parsed.problems.map((p) => p + suffix));
      const prev = this.files.get(file);
      if (!prev?.good) this.files.set(file, { objects: parsed.objects, good: false });
    }
    for (const file of [...this.files.keys()]) if (!seen.has(file)) this.files.delete(file);

    // Merge, first definition wins (files in name order).
    const byId = new Map<string, { file: string; where: string }>();
    const objects: LoadedObject[] = [];
    for (const [file, entry] of [...this.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const o of entry.objects) {
        const first = byId.get(o.id);
        if (first) {
          problems.push(
            `${file}: ${o.where} (${o.id}): also defined in ${first.file} ${first.where}; using that one`,
          );
          continue;
        }
        byId.set(o.id, { file, ...o });
        objects.push(o);
      }
    }

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

  private keeping(file: string): string {
    return this.files.get(file)?.good ? '; keeping the last good version of the file' : '';
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
    const cls = this.opts.loadBalancerClass ?? DEFAULT_LOAD_BALANCER_CLASS;
    const noClass = this.opts.claimServicesWithoutClass ?? true;
    const out: ServiceObject[] = [];
    for (const o of this.objects) {
      if (o.object.kind !== 'Service') continue;
      const s = o.object.value;
      if (s.spec.type !== 'LoadBalancer') continue;
      if (s.spec.loadBalancerClass === undefined ? !noClass : s.spec.loadBalancerClass !== cls) continue;
      out.push(s);
    }
    return out;
  }

  private build(): ObservedState {
    const pick = <K extends LoadedObject['object']['kind']>(kind: K) =>
      this.objects
        .filter((o) => o.object.kind === kind)
        .map((o) => o.object.value as Extract<LoadedObject['object'], { kind: K }>['value']);
    const pools: LoadBalancerIPPool[] = pick('LoadBalancerIPPool').map((p) => {
      const st = this.store.pool(p.metadata.name);
      return st ? { ...p, status: structuredClone(st) } : { ...p, status: {} };
    });
    const policies: BGPPeeringPolicy[] = pick('BGPPeeringPolicy').map((p) => ({
      ...p,
      status: { conditions: structuredClone(this.store.policyConditions(p.metadata.name) ?? []) },
    }));
    const l2Policies: L2AnnouncementPolicy[] = pick('L2AnnouncementPolicy').map((p) => ({
      ...p,
      status: {
        conditions: structuredClone(this.store.policyConditions(l2StatusKey(p.metadata.name)) ?? []),
      },
    }));
    const services = this.ownedServices().map((s) => this.withStatus(s));
    const endpointSlices: EndpointSliceObject[] = pick('EndpointSlice');
    const secrets = new Map<string, Record<string, string>>();
    for (const s of pick('Secret')) secrets.set(`${s.namespace}/${s.name}`, { ...s.data });
    const node = this.node();
    // Files mode: the Namespace objects of the folder (a namespace without one has no labels).
    const namespaces = pick('Namespace');
    return {
      synced: this.synced,
      node,
      pools,
      policies,
      l2Policies,
      nodes: [node],
      bfdProfiles: pick('BFDProfile'),
      services,
      endpointSlices,
      secrets,
      namespaces,
    };
  }

  private withStatus(s: ServiceObject): ServiceObject {
    const st = this.store.service(serviceKey(s));
    if (!st) return { ...s, status: { loadBalancer: {} } };
    const condition: Condition = { ...st.condition, lastTransitionTime: st.lastTransitionTime };
    return {
      ...s,
      status: {
        loadBalancer: st.ips.length ? { ingress: st.ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) } : {},
        conditions: [condition],
      },
    };
  }

  private node(): NodeObject {
    const { nodeName, nodeLabels, nodeAddress } = this.opts;
    return {
      metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, ...nodeLabels } },
      status: { addresses: nodeAddress ? [{ type: 'InternalIP', address: nodeAddress }] : [] },
    };
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
