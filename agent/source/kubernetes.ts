/**
 * The Kubernetes source: informers for this edgelb's Services, this Node, EndpointSlices,
 * pools, peering and L2 announcement policies, every Node's labels (L2 eligibility), the Secrets that authSecretRef names, a Lease elector, and
 * the leader-only status writer. An unreachable API never crashes it: the informers retry
 * with backoff and problems() says why the source is not synced (for /readyz).
 */

import type { BFDProfile } from '../api/bfd-profile.ts';
import type { EndpointSliceObject, NamespaceObject, NodeObject, ServiceObject } from '../api/core.ts';
import { SERVICE_NAME_SLICE_LABEL } from '../api/core.ts';
import type { BGPPeeringPolicy, L2AnnouncementPolicy, LoadBalancerIPPool } from '../api/v1alpha1.ts';
import type { Config } from '../config/schema.ts';
import { EventRecorder } from '../kube/events.ts';
import type { Informer, InformerOptions } from '../kube/informer.ts';
import { type KubeEndpoint, loadKubeconfig } from '../kube/kubeconfig.ts';
import type { LeaderElector } from '../kube/leader-election.ts';
import { SecretFetcher, type SecretRef } from '../kube/secrets.ts';
import { KubeStatusWriter } from '../kube/status-writer.ts';
import { type FetchFn, KubeClient } from '../kube/transport.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Counter, Registry } from '../lib/metrics.ts';
import { createElector } from './kube-elector.ts';
import { type Any, createInformers } from './kube-informers.ts';
import type { Leadership, ObservedState, Source, StatusWriter } from './types.ts';

export interface KubernetesSourceOptions {
  /** The `kubernetes` section of the node configuration. */
  config: Config['kubernetes'];
  nodeName: string;
  clock: Clock;
  random: () => number;
  log: Logger;
  metrics: Registry;
  /** Tests: an endpoint instead of loading the kubeconfig, a fetch, faster timings. */
  endpoint?: KubeEndpoint;
  fetch?: FetchFn;
  informer?: Pick<
    InformerOptions<never>,
    'silenceMs' | 'backoff' | 'requestTimeoutMs' | 'watchTimeoutSeconds'
  >;
  /** Milliseconds instead of the config's seconds (tests). */
  leaderElectionMs?: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  secretRefreshMs?: number;
  /** A full garbage collection every `collectEvery` changes (default 2000); default Bun.gc(true). */
  collect?: () => void;
  collectEvery?: number;
}

const COLLECT_EVERY = 2000;

function defaultCollect(): void {
  (globalThis as { Bun?: { gc?: (force: boolean) => void } }).Bun?.gc?.(true);
}

export class KubernetesSource implements Source {
  readonly kind = 'kubernetes' as const;
  readonly writer: StatusWriter;
  readonly leadership: Leadership;
  readonly client: KubeClient;
  readonly elector: LeaderElector;
  /** edgelb_kube_watch_restarts_total, shared with other watches on this client (L2 heartbeats). */
  readonly restarts: Counter;

  private readonly services: Informer<ServiceObject & Any>;
  private readonly nodes: Informer<NodeObject & Any>;
  private readonly slices: Informer<EndpointSliceObject & Any>;
  private readonly pools: Informer<LoadBalancerIPPool & Any>;
  private readonly policies: Informer<BGPPeeringPolicy & Any>;
  private readonly l2Policies: Informer<L2AnnouncementPolicy & Any>;
  /** Every Node, reduced to name and labels (L2 eligibility needs the other nodes' labels). */
  private readonly allNodes: Informer<NodeObject & Any>;
  private readonly bfdProfiles: Informer<BFDProfile & Any>;
  /** Namespaces reduced to name and labels (pools' namespaceSelector). */
  private readonly namespaces: Informer<NamespaceObject & Any>;
  private readonly secrets: SecretFetcher;
  private readonly events: EventRecorder;
  private onChange: () => void = () => {};
  private snapshot: ObservedState | undefined;
  /** Watch events (and other changes) since the last collection. */
  private sinceCollect = 0;
  private started = false;

  constructor(private readonly o: KubernetesSourceOptions) {
    const log = o.log.child({ component: 'kube' });
    const endpoint = o.endpoint ?? loadKubeconfig({ path: o.config.kubeconfig, log });
    this.client = new KubeClient(endpoint, { log, fetch: o.fetch, clock: o.clock });
    const restarts = o.metrics.counter(
      'edgelb_kube_watch_restarts_total',
      'Watches restarted after an error, a 410 Gone or a silent connection.',
      ['resource'],
    );
    this.restarts = restarts;
    const malformed = o.metrics.counter(
      'edgelb_kube_malformed_responses_total',
      'API responses rejected as malformed (a list or event of the wrong shape, not JSON, over the size bound): the last complete list stays in use.',
      ['resource'],
    );
    const changed = () => this.changed();
    const common = {
      client: this.client,
      clock: o.clock,
      random: o.random,
      log,
      restarts,
      malformed,
      onChange: changed,
      ...o.informer,
    };
    const classes = {
      loadBalancerClass: o.config.loadBalancerClass,
      claimServicesWithoutClass: o.config.claimServicesWithoutClass,
    };
    const informers = createInformers(common, o.nodeName, classes);
    this.services = informers.services;
    this.nodes = informers.nodes;
    this.slices = informers.slices;
    this.pools = informers.pools;
    this.policies = informers.policies;
    this.l2Policies = informers.l2Policies;
    this.allNodes = informers.allNodes;
    this.bfdProfiles = informers.bfdProfiles;
    this.namespaces = informers.namespaces;
    this.secrets = new SecretFetcher({
      client: this.client,
      clock: o.clock,
      log,
      onChange: changed,
      refreshMs: o.secretRefreshMs,
    });

    this.elector = createElector({
      client: this.client,
      config: o.config.leaderElection,
      nodeName: o.nodeName,
      timingsMs: o.leaderElectionMs,
      clock: o.clock,
      random: o.random,
      log,
      onChange: changed,
    });
    this.leadership = {
      isLeader: () => this.elector.isLeader(),
      holder: () => this.elector.holder(),
      term: () => this.elector.term(),
    };
    this.events = new EventRecorder({ client: this.client, clock: o.clock, log, instance: o.nodeName });
    this.writer = new KubeStatusWriter({
      client: this.client,
      clock: o.clock,
      log,
      leadership: this.elector,
      classes,
      events: this.events,
    });
  }

  private informers(): Informer<Any>[] {
    return [
      this.services,
      this.nodes,
      this.slices,
      this.pools,
      this.policies,
      this.l2Policies,
      this.allNodes,
    ] as unknown as Informer<Any>[];
  }

  /** Informers that do not hold up `synced` (an older CRD set without BFDProfile still runs). */
  private optionalInformers(): Informer<Any>[] {
    // Namespaces: an RBAC without list/watch on them keeps BGP running; pools with a
    // namespaceSelector then serve no Service until the list succeeds (problems() says why).
    return [this.bfdProfiles, this.namespaces] as unknown as Informer<Any>[];
  }

  private changed(): void {
    this.snapshot = undefined;
    // A burst of watch events (10,000 Services created at once) parses ~3 KiB of garbage per
    // event: collecting every few thousand keeps the heap from growing to hold it (the heap a
    // burst grows is kept afterwards). Rare events never get here in a useful time.
    if (++this.sinceCollect >= (this.o.collectEvery ?? COLLECT_EVERY)) {
      this.sinceCollect = 0;
      (this.o.collect ?? defaultCollect)();
    }
    if (this.policies.synced) this.secrets.setWanted(this.secretRefs());
    if (this.started) this.onChange();
  }

  private secretRefs(): SecretRef[] {
    const refs: SecretRef[] = [];
    for (const p of this.policies.list()) {
      for (const vr of p.spec?.virtualRouters ?? []) {
        for (const n of vr.neighbors ?? []) {
          const r = n.authSecretRef;
          if (r?.name)
            refs.push({ namespace: r.namespace || this.o.config.leaderElection.namespace, name: r.name });
        }
      }
    }
    return refs;
  }

  async start(onChange: () => void): Promise<void> {
    this.onChange = onChange;
    this.started = true;
    for (const i of [...this.informers(), ...this.optionalInformers()]) i.start();
    this.secrets.start();
    this.elector.start();
  }

  observe(): ObservedState {
    if (this.snapshot) return this.snapshot;
    const services = this.services.list();
    const slices = this.slices
      .list()
      .filter(
        (s) =>
          this.services.get(
            `${s.metadata.namespace}/${s.metadata.labels?.[SERVICE_NAME_SLICE_LABEL] ?? ''}`,
          ) !== undefined,
      );
    // L2AnnouncementPolicies do not hold the sync back: a cluster upgraded without applying the
    // new CRD keeps its BGP announcements (problems() names the failing list); the policies
    // simply appear when their first list succeeds.
    const synced =
      this.informers().every((i) => i.synced || i === (this.l2Policies as unknown as Informer<Any>)) &&
      this.secrets.synced;
    this.snapshot = {
      synced,
      node: this.nodes.get(`/${this.o.nodeName}`),
      pools: this.pools.list(),
      policies: this.policies.list(),
      l2Policies: this.l2Policies.list(),
      nodes: this.allNodes.list(),
      bfdProfiles: this.bfdProfiles.list(),
      ...(this.namespaces.synced ? { namespaces: this.namespaces.list() } : {}),
      services,
      endpointSlices: slices,
      secrets: this.secrets.values(),
    };
    return this.snapshot;
  }

  /**
   * The reconcile loop's incremental path (ServiceChangeFeed): keys ("namespace/name") of the
   * Services added, changed or deleted since the last call, or 'all'.
   */
  takeServiceChanges(): ReadonlySet<string> | 'all' {
    return this.services.takeChanges();
  }

  /** The cached Service with this key, as observe() would list it. */
  service(key: string): ServiceObject | undefined {
    return this.services.get(key);
  }

  unsynced(): string[] {
    const out = this.informers()
      .filter((i) => !i.synced && i !== (this.l2Policies as unknown as Informer<Any>))
      .map((i) => i.resource);
    if (!this.secrets.synced) out.push('secrets');
    return out;
  }

  problems(): string[] {
    const out = new Set<string>();
    for (const i of this.informers()) if (i.lastError) out.add(i.lastError);
    if (this.namespaces.lastError && this.pools.list().some((p) => p.spec?.namespaceSelector))
      out.add(
        `${this.namespaces.lastError} (pools with a namespaceSelector serve no Service until it succeeds)`,
      );
    if (this.secrets.lastError) out.add(this.secrets.lastError);
    if (!this.elector.isLeader() && !this.elector.holder() && this.elector.lastError) {
      out.add(`leader election: ${this.elector.lastError}`);
    }
    if (this.nodes.synced && !this.nodes.get(`/${this.o.nodeName}`)) {
      out.add(`Node "${this.o.nodeName}" not found: nodeName must equal the Kubernetes Node name`);
    }
    return [...out];
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const i of [...this.informers(), ...this.optionalInformers()]) i.stop();
    this.secrets.stop();
    await this.events.flush().catch(() => {});
    await this.elector.stop();
  }
}
