/** An in-memory Lease with resourceVersion concurrency (409 on a stale PUT), for FakeClock tests. */
import type { LeaseStore } from '../../../agent/kube/leader-election.ts';
import type { Lease } from '../../../agent/kube/lease-record.ts';
import { KubeApiError } from '../../../agent/kube/transport.ts';

export class MemoryLease {
  lease: Lease | undefined;
  private rv = 0;
  writes: { who: string; holder: string; at: number }[] = [];
  constructor(private readonly now: () => number) {}

  /** A store for one contender; `partitioned()` true makes its calls hang until aborted. */
  store(who: string, partitioned: () => boolean = () => false): LeaseStore {
    const hangOr = <T>(signal: AbortSignal, f: () => T): Promise<T> => {
      if (partitioned()) {
        return new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      }
      try {
        return Promise.resolve(f());
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return {
      get: (signal) => hangOr(signal, () => (this.lease ? structuredClone(this.lease) : undefined)),
      create: (lease, signal) =>
        hangOr(signal, () => {
          if (this.lease) throw new KubeApiError(409, 'AlreadyExists', 'exists', 'create', 'leases');
          return this.save(who, lease);
        }),
      update: (lease, signal) =>
        hangOr(signal, () => {
          if (!this.lease) throw new KubeApiError(404, 'NotFound', 'gone', 'update', 'leases');
          if (lease.metadata.resourceVersion !== this.lease.metadata.resourceVersion) {
            throw new KubeApiError(409, 'Conflict', 'stale', 'update', 'leases');
          }
          return this.save(who, lease);
        }),
    };
  }

  private save(who: string, lease: Lease): Lease {
    this.rv++;
    this.lease = structuredClone({
      ...lease,
      metadata: { ...lease.metadata, resourceVersion: String(this.rv) },
    });
    this.writes.push({ who, holder: lease.spec.holderIdentity ?? '', at: this.now() });
    return structuredClone(this.lease);
  }
}
