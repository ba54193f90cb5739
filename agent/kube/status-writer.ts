/**
 * ADAPTER. The leader's writes: Service /status (ingress with ipMode VIP and the
 * edgelb.io/IPAMRequestSatisfied condition), pool and policy /status. A write happens
 * only when something changed, is a PUT with the object's resourceVersion, and on 409
 * re-reads and retries. A Service of another class is never touched. Nothing is written
 * unless this node leads; a write in flight is aborted when the term ends.
 */
import type { ServiceObject } from '../api/core.ts';
import type { EventKind, PoolStatusWrite, ServiceStatusWrite, StatusWriter } from '../api/status.ts';
import {
  type BGPPeeringPolicy,
  type Condition,
  GROUP,
  type L2AnnouncementPolicy,
  type LoadBalancerIPPool,
  PLURALS,
  VERSION,
} from '../api/v1alpha1.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { type ConditionInput, sameConditions, setCondition, setConditions } from './conditions.ts';
import type { EventRecorder } from './events.ts';
import { type ClassConfig, ownsService } from './service-class.ts';
import { KubeApiError, type KubeClient } from './transport.ts';

export interface WriterLeadership {
  isLeader(): boolean;
  termSignal?(): AbortSignal | undefined;
}

export interface KubeStatusWriterOptions {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  leadership: WriterLeadership;
  classes: ClassConfig;
  events: EventRecorder;
  /** Attempts on 409 before giving up (default 5). */
  conflictRetries?: number;
}

export class NotLeaderError extends Error {
  readonly code = 'not-leader';
  constructor() {
    super('not the leader: status not written');
  }
}

function servicePath(ns: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(name)}`;
}

const POOLS = `/apis/${GROUP}/${VERSION}/${PLURALS.LoadBalancerIPPool}`;
const POLICIES = `/apis/${GROUP}/${VERSION}/${PLURALS.BGPPeeringPolicy}`;
const L2_POLICIES = `/apis/${GROUP}/${VERSION}/${PLURALS.L2AnnouncementPolicy}`;

interface WithStatus {
  metadata: { name: string; namespace?: string; resourceVersion?: string; generation?: number };
  status?: Record<string, unknown>;
}

export class KubeStatusWriter implements StatusWriter {
  /** Service writes done (PUTs that succeeded), for tests and metrics. */
  writes = 0;

  constructor(private readonly o: KubeStatusWriterOptions) {}

  private signal(): AbortSignal | undefined {
    if (!this.o.leadership.isLeader()) throw new NotLeaderError();
    return this.o.leadership.termSignal?.();
  }

  /**
   * Reads-modifies-writes one object's /status: `desired` returns the new status, or
   * undefined when nothing needs writing. Returns false when the object is gone.
   */
  private async update<T extends WithStatus>(
    path: string,
    current: T,
    desired: (obj: T) => T['status'] | undefined,
  ): Promise<boolean> {
    let obj = current;
    const attempts = this.o.conflictRetries ?? 5;
    for (let i = 0; ; i++) {
      const status = desired(obj);
      if (status === undefined) return true;
      const signal = this.signal();
      try {
        await this.o.client.request('PUT', `${path}/status`, { body: { ...obj, status }, signal });
        this.writes++;
        return true;
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return false;
        if (!(err instanceof KubeApiError && err.status === 409) || i + 1 >= attempts) throw err;
      }
      try {
        obj = await this.o.client.request<T>('GET', path, { signal: this.signal() });
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return false;
        throw err;
      }
    }
  }

  async writeServiceStatus(svc: ServiceObject, w: ServiceStatusWrite): Promise<boolean> {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const path = servicePath(svc.metadata.namespace, svc.metadata.name);
    return this.update<ServiceObject & WithStatus>(path, svc as ServiceObject & WithStatus, (cur) => {
      if (!ownsService(cur, this.o.classes)) {
        this.o.log.warn('not writing status of a Service edgelb does not own', { service: key });
        return undefined;
      }
      const ingress = w.ips.map((ip) => ({ ip, ipMode: 'VIP' as const }));
      const conditions = setCondition(cur.status?.conditions, w.condition, this.o.clock.now());
      const before = cur.status?.loadBalancer?.ingress ?? [];
      const sameIngress =
        before.length === ingress.length &&
        before.every((b, i) => b.ip === ingress[i]?.ip && (b.ipMode ?? 'VIP') === 'VIP' && !b.hostname);
      if (sameIngress && sameConditions(cur.status?.conditions, conditions)) return undefined;
      return { ...cur.status, loadBalancer: { ...cur.status?.loadBalancer, ingress }, conditions };
    });
  }

  async writeServiceCondition(svc: ServiceObject, condition: ConditionInput): Promise<boolean> {
    const path = servicePath(svc.metadata.namespace, svc.metadata.name);
    return this.update<ServiceObject & WithStatus>(path, svc as ServiceObject & WithStatus, (cur) => {
      if (!ownsService(cur, this.o.classes)) return undefined;
      const conditions = setCondition(cur.status?.conditions, condition, this.o.clock.now());
      if (sameConditions(cur.status?.conditions, conditions)) return undefined;
      return { ...cur.status, conditions };
    });
  }

  async writePoolStatus(pool: LoadBalancerIPPool, w: PoolStatusWrite): Promise<void> {
    const path = `${POOLS}/${encodeURIComponent(pool.metadata.name)}`;
    await this.update<LoadBalancerIPPool & WithStatus>(
      path,
      pool as LoadBalancerIPPool & WithStatus,
      (cur) => {
        const gen = cur.metadata.generation;
        const input: ConditionInput[] = w.conditions.map((c) => ({
          ...c,
          ...(gen !== undefined ? { observedGeneration: gen } : {}),
        }));
        const conditions = setConditions(cur.status?.conditions, input, this.o.clock.now());
        const s = cur.status as LoadBalancerIPPool['status'];
        const sameHeld =
          JSON.stringify(s?.held ?? []) === JSON.stringify(w.held ?? []) &&
          (s?.heldCount ?? 0) === (w.heldCount ?? 0);
        if (
          sameConditions(s?.conditions, conditions) &&
          s?.ipsTotal === w.ipsTotal &&
          s?.ipsUsed === w.ipsUsed &&
          s?.ipsAvailable === w.ipsAvailable &&
          sameHeld &&
          (w.blocks === undefined || s?.blocks === w.blocks)
        ) {
          return undefined;
        }
        // Holds (status.held, heldCount) are replaced as a whole; absent when nothing is held.
        const { held: _h, heldCount: _c, ...rest } = s ?? {};
        return {
          ...rest,
          conditions,
          ipsTotal: w.ipsTotal,
          ipsUsed: w.ipsUsed,
          ipsAvailable: w.ipsAvailable,
          ...(w.held?.length ? { held: w.held, heldCount: w.heldCount ?? w.held.length } : {}),
          ...(w.blocks !== undefined ? { blocks: w.blocks } : {}),
        };
      },
    );
  }

  async writePolicyStatus(policy: BGPPeeringPolicy, valid: ConditionInput): Promise<void> {
    await this.writeValid(`${POLICIES}/${encodeURIComponent(policy.metadata.name)}`, policy, valid);
  }

  async writeL2PolicyStatus(policy: L2AnnouncementPolicy, valid: ConditionInput): Promise<void> {
    await this.writeValid(`${L2_POLICIES}/${encodeURIComponent(policy.metadata.name)}`, policy, valid);
  }

  /** A policy's Valid condition (peering and L2 policies alike). */
  private async writeValid(
    path: string,
    policy: { metadata: WithStatus['metadata'] },
    valid: ConditionInput,
  ): Promise<void> {
    await this.update<WithStatus>(path, policy as WithStatus, (cur) => {
      const gen = cur.metadata.generation;
      const c: ConditionInput = { ...valid, ...(gen !== undefined ? { observedGeneration: gen } : {}) };
      const s = cur.status as { conditions?: Condition[] } | undefined;
      const conditions = setCondition(s?.conditions, c, this.o.clock.now());
      if (sameConditions(s?.conditions, conditions)) return undefined;
      return { ...s, conditions };
    });
  }

  event(svc: ServiceObject, kind: EventKind, type: 'Normal' | 'Warning', message: string): void {
    if (!this.o.leadership.isLeader()) return;
    this.nodeEvent(svc, kind, type, message);
  }

  /**
   * An Event from any node (the L2 owner is not the leader): Events need only create/patch on
   * events.k8s.io, which every node's ServiceAccount has; the recorder rate-limits per process.
   */
  nodeEvent(svc: ServiceObject, kind: EventKind, type: 'Normal' | 'Warning', message: string): void {
    if (!ownsService(svc, this.o.classes)) return;
    this.o.events.record(
      {
        apiVersion: 'v1',
        kind: 'Service',
        namespace: svc.metadata.namespace,
        name: svc.metadata.name,
        uid: svc.metadata.uid,
      },
      kind,
      type,
      message,
    );
  }
}
