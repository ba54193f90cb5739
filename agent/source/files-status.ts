/**
 * Files mode's "status subresource": Service, pool and policy status kept in the state
 * file. Writes happen only when something changed, keep lastTransitionTime while a
 * condition's status is unchanged, and are persisted atomically before they resolve.
 */
import type { Condition } from '../api/v1alpha1.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import {
  type AllocationState,
  emptyState,
  type PoolState,
  readStateFile,
  type ServiceState,
  writeStateFile,
} from './state-file.ts';
import type { PoolStatusWrite, ServiceStatusWrite } from './types.ts';

/** A failed persist; the change stays in memory and is retried on the next write. */
export class StateWriteError extends Error {
  readonly code = 'state-write-failed';
  constructor(path: string, cause: unknown) {
    super(`cannot write the state file ${path}: ${(cause as Error).message ?? String(cause)}`, { cause });
    this.name = 'StateWriteError';
  }
}

/** Kubernetes' RFC 3339 form, whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type Cond = Omit<Condition, 'lastTransitionTime'>;

function sameCondition(a: Cond, b: Cond): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.observedGeneration === b.observedGeneration
  );
}

/** New conditions with lastTransitionTime carried over from a previous condition of the same type and status. */
export function mergeConditions(prev: readonly Condition[], next: readonly Cond[], now: string): Condition[] {
  return next.map((c) => {
    const old = prev.find((p) => p.type === c.type);
    return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
  });
}

function sameConditions(prev: readonly Condition[], next: readonly Cond[]): boolean {
  return prev.length === next.length && next.every((c, i) => sameCondition(prev[i]!, c));
}

export class StatusStore {
  private state: AllocationState = emptyState();
  private dirty = false;
  private writeProblem: string | undefined;
  private loadProblems: string[] = [];

  constructor(
    private readonly path: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Reads the state file (corrupt -> kept aside, .bak used; see state-file.ts). Throws if unreadable. */
  load(): void {
    const r = readStateFile(this.path, this.clock.now());
    this.state = r.state;
    this.loadProblems = r.problems;
    for (const p of r.problems) this.log.error(p, { file: this.path });
    this.log.info('state loaded', {
      file: this.path,
      from: r.from,
      services: Object.keys(r.state.services).length,
    });
  }

  problems(): string[] {
    return [...this.loadProblems, ...(this.writeProblem ? [this.writeProblem] : [])];
  }

  service(key: string): ServiceState | undefined {
    return this.state.services[key];
  }

  pool(name: string): PoolState | undefined {
    return this.state.pools[name];
  }

  policyConditions(name: string): Condition[] | undefined {
    return this.state.policies[name]?.conditions;
  }

  /**
   * Returns true when the state changed. `defer`: keep the change in memory until flush() (a
   * reconcile pass writes thousands of Services; one file write per Service made a first
   * allocation of 10,000 quadratic: every write serialized and fsynced the whole state).
   */
  setService(key: string, status: ServiceStatusWrite, opts: { defer?: boolean } = {}): boolean {
    const prev = this.state.services[key];
    if (prev && sameCondition(prev.condition, status.condition) && sameList(prev.ips, status.ips)) {
      return opts.defer ? false : this.flushIfDirty();
    }
    const keep = prev && prev.condition.status === status.condition.status;
    this.state.services[key] = {
      ips: [...status.ips],
      condition: { ...status.condition },
      lastTransitionTime: keep ? prev.lastTransitionTime : rfc3339(this.clock.now()),
    };
    if (opts.defer) this.dirty = true;
    else this.persist();
    return true;
  }

  /** Writes the deferred changes, if any (throws StateWriteError as a write does). */
  flush(): void {
    this.flushIfDirty();
  }

  setPool(name: string, status: PoolStatusWrite): boolean {
    const prev = this.state.pools[name];
    if (
      prev &&
      prev.ipsTotal === status.ipsTotal &&
      prev.ipsUsed === status.ipsUsed &&
      prev.ipsAvailable === status.ipsAvailable &&
      sameConditions(prev.conditions, status.conditions) &&
      JSON.stringify(prev.held ?? []) === JSON.stringify(status.held ?? [])
    ) {
      return this.flushIfDirty();
    }
    this.state.pools[name] = {
      conditions: mergeConditions(prev?.conditions ?? [], status.conditions, rfc3339(this.clock.now())),
      ipsTotal: status.ipsTotal,
      ipsUsed: status.ipsUsed,
      ipsAvailable: status.ipsAvailable,
      // The holds survive a restart here (what pool status does in kubernetes mode).
      ...(status.held?.length
        ? { held: status.held, heldCount: status.heldCount ?? status.held.length }
        : {}),
    };
    this.persist();
    return true;
  }

  /** Sets one condition of a policy (Valid, BFDProfileResolved); the others are kept. */
  setPolicy(name: string, valid: Cond): boolean {
    const prev = this.state.policies[name]?.conditions ?? [];
    const old = prev.filter((c) => c.type === valid.type);
    if (sameConditions(old, [valid])) return this.flushIfDirty();
    const merged = mergeConditions(old, [valid], rfc3339(this.clock.now()))[0]!;
    const at = prev.findIndex((c) => c.type === valid.type);
    const conditions = at < 0 ? [...prev, merged] : prev.map((c, i) => (i === at ? merged : c));
    this.state.policies[name] = { conditions };
    this.persist();
    return true;
  }

  /** Drops status of objects no longer in the manifests (what deleting them does in the API). Returns the dropped Service keys. */
  prune(services: ReadonlySet<string>, pools: ReadonlySet<string>, policies: ReadonlySet<string>): string[] {
    const dropped = Object.keys(this.state.services).filter((k) => !services.has(k));
    let changed = dropped.length > 0;
    for (const k of dropped) delete this.state.services[k];
    for (const [section, keep] of [
      [this.state.pools, pools],
      [this.state.policies, policies],
    ] as const) {
      for (const k of Object.keys(section)) {
        if (keep.has(k)) continue;
        delete section[k];
        changed = true;
      }
    }
    if (changed) this.persist();
    return dropped;
  }

  /** Retries a write that failed earlier; false when nothing was pending. */
  private flushIfDirty(): boolean {
    if (!this.dirty) return false;
    this.persist();
    return false;
  }

  private persist(): void {
    this.dirty = true;
    try {
      writeStateFile(this.path, this.state);
    } catch (err) {
      const e = new StateWriteError(this.path, err);
      if (this.writeProblem !== e.message) this.log.error(e.message, { file: this.path });
      this.writeProblem = e.message;
      throw e;
    }
    this.dirty = false;
    this.writeProblem = undefined;
    this.loadProblems = [];
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
