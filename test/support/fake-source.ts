/** An in-memory Source for reconcile tests: status writes land on the objects, as on the API server. */
import type { ServiceObject } from '../../agent/api/core.ts';
import type { BGPPeeringPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import type {
  EventKind,
  ObservedState,
  PoolStatusWrite,
  ServiceStatusWrite,
  Source,
  StatusWriter,
} from '../../agent/source/types.ts';

export class FakeSource implements Source {
  readonly kind = 'files' as const;
  leader = true;
  state: ObservedState = {
    synced: true,
    node: { metadata: { name: 'worker', labels: { peering: 'yes' } } },
    pools: [],
    policies: [],
    services: [],
    endpointSlices: [],
    secrets: new Map(),
  };
  serviceWrites: { key: string; ips: string[]; reason: string }[] = [];
  poolWrites: { name: string; status: PoolStatusWrite }[] = [];
  events: { key: string; kind: EventKind; type: string; message: string }[] = [];
  onChange: () => void = () => {};

  readonly leadership = { isLeader: () => this.leader, holder: () => (this.leader ? 'worker' : 'other') };
  readonly writer: StatusWriter = {
    writeServiceStatus: async (svc: ServiceObject, s: ServiceStatusWrite) => {
      const live = this.state.services.find(
        (x) => x.metadata.namespace === svc.metadata.namespace && x.metadata.name === svc.metadata.name,
      );
      if (!live) return false;
      live.status = {
        loadBalancer: { ingress: s.ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) },
        conditions: [{ ...s.condition, lastTransitionTime: '2026-01-01T00:00:00Z' }],
      };
      this.serviceWrites.push({
        key: `${svc.metadata.namespace}/${svc.metadata.name}`,
        ips: s.ips,
        reason: s.condition.reason,
      });
      return true;
    },
    writePoolStatus: async (pool: LoadBalancerIPPool, status: PoolStatusWrite) => {
      this.poolWrites.push({ name: pool.metadata.name, status });
    },
    writePolicyStatus: async (_p: BGPPeeringPolicy) => {},
    event: (svc: ServiceObject, kind: EventKind, type: 'Normal' | 'Warning', message: string) => {
      this.events.push({ key: `${svc.metadata.namespace}/${svc.metadata.name}`, kind, type, message });
    },
  };

  async start(onChange: () => void): Promise<void> {
    this.onChange = onChange;
  }
  observe(): ObservedState {
    return this.state;
  }
  problems(): string[] {
    return [];
  }
  async stop(): Promise<void> {}
}

export class FakeSpeaker {
  peers: { id: string }[] = [];
  adverts = new Map<string, string[]>();
  setPeers(p: { id: string }[]): void {
    this.peers = p;
  }
  setAdvertisements(m: Map<string, string[]>): void {
    this.adverts = new Map(m);
  }
}
