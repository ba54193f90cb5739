/**
 * The Kubernetes source's Lease elector: the timings from the configuration (or milliseconds
 * from tests), a new identity per process and the Lease the configuration names. Every
 * leadership change calls onChange.
 */
import type { Config } from '../config/schema.ts';
import { kubeLeaseStore, LeaderElector } from '../kube/leader-election.ts';
import type { KubeClient } from '../kube/transport.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';

export interface ElectorOptions {
  client: KubeClient;
  config: Config['kubernetes']['leaderElection'];
  nodeName: string;
  /** Milliseconds instead of the config's seconds (tests). */
  timingsMs?: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  clock: Clock;
  random: () => number;
  log: Logger;
  onChange: () => void;
}

export function createElector(o: ElectorOptions): LeaderElector {
  const le = o.config;
  const timings = o.timingsMs ?? {
    leaseDurationMs: le.leaseDurationSeconds * 1000,
    renewDeadlineMs: le.renewDeadlineSeconds * 1000,
    retryPeriodMs: le.retryPeriodSeconds * 1000,
  };
  // A new identity per process: a restarted agent is a new candidate, never a blind renewer.
  const suffix = Math.floor(o.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');
  return new LeaderElector({
    ...timings,
    identity: `${o.nodeName}_${suffix}`,
    namespace: le.namespace,
    name: le.leaseName,
    store: kubeLeaseStore(o.client, le.namespace, le.leaseName),
    clock: o.clock,
    random: o.random,
    log: o.log,
    onStartedLeading: o.onChange,
    onStoppedLeading: o.onChange,
    onNewLeader: o.onChange,
  });
}
