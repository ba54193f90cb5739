/**
 * Part of the composition root (agent.ts): L2 mode's announcer for `edgelb run`. Ownership of
 * the IPs comes from the per-node heartbeat Leases in kubernetes mode; in files mode this node
 * is the only node and owns every candidate it is eligible for. The announcer builds the
 * ownership once an L2AnnouncementPolicy exists; the Responder answers ARP/NDP for owned IPs.
 */
import type { AgentContext } from './agent-context.ts';
import { kubeLeaseStore } from './kube/leader-election.ts';
import { heartbeatLeaseName } from './l2/heartbeat-lease.ts';
import { readLinks } from './l2/link-facts.ts';
import { openLink } from './l2/link-port.ts';
import { kubeHeartbeatWatch, L2Ownership } from './l2/ownership-controller.ts';
import { Responder } from './l2/responder.ts';
import { L2Announcer, type OwnershipPort, StaticOwnership } from './reconcile/l2-announcer.ts';
import type { KubernetesSource } from './source/kubernetes.ts';

export function l2Announcer(o: AgentContext): L2Announcer {
  const { config, source, nodeName, clock, random, log, metrics } = o;
  return new L2Announcer({
    nodeName,
    clock,
    log: log.child({ component: 'l2' }),
    metrics,
    ownership: ({ onOwnedChange, changes }): OwnershipPort => {
      const l2log = log.child({ component: 'l2' });
      if (source.kind === 'kubernetes') {
        const kube = source as KubernetesSource;
        // Every node must run the same l2 timings (the others judge our liveness by them).
        const leaseDurationMs = config.l2.leaseDurationSeconds * 1000;
        const namespace = config.kubernetes.leaderElection.namespace;
        return new L2Ownership({
          node: nodeName,
          namespace,
          leaseDurationMs,
          renewIntervalMs: config.l2.renewIntervalSeconds * 1000,
          store: kubeLeaseStore(kube.client, namespace, heartbeatLeaseName(nodeName)),
          watch: kubeHeartbeatWatch({
            client: kube.client,
            namespace,
            clock,
            random,
            log: l2log,
            restarts: kube.restarts,
            // Our own renewals arrive every renewInterval: four lease durations of silence is a dead watch.
            silenceMs: 4 * leaseDurationMs,
          }),
          clock,
          log: l2log,
          onOwnedChange,
          changes,
        });
      }
      return new StaticOwnership({ nodeName, onOwnedChange, changes });
    },
    responder: (mayAnswer) =>
      new Responder({
        clock,
        openLink,
        log: log.child({ component: 'l2' }),
        gratuitousIntervalSeconds: config.l2.gratuitousIntervalSeconds,
        mayAnswer,
      }),
    links: readLinks,
    writer: () => source.writer,
    withdrawWhenCordoned: config.kubernetes.withdrawWhenCordoned,
  });
}
