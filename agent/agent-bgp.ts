/**
 * Part of the composition root (agent.ts): the BGP side of `edgelb run`. The speaker is built
 * on demand, once this node's router ID is known (bgp.routerId, else an IPv4 address of the
 * Node (kubernetes) or the host (files)), with its pinned next hops; BFD (RFC 5880) for
 * neighbors that name a BFDProfile gates its reconnects.
 */
import { networkInterfaces } from 'node:os';
import type { AgentContext } from './agent-context.ts';
import { BfdManager } from './bfd/manager.ts';
import { udpTransport } from './bfd/transport.ts';
import type { LivenessGate } from './bgp/liveness-gate.ts';
import { Speaker } from './bgp/speaker.ts';
import { nodeAddressCIDRFor } from './config/schema.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/log.ts';
import type { Registry } from './lib/metrics.ts';
import { BfdCoupling } from './reconcile/bfd-coupling.ts';
import {
  type HostInterface,
  hostNextHop,
  nodeAddresses,
  pickAddress,
} from './reconcile/plan/node-address.ts';

function hostInterfaces(): HostInterface[] {
  return Object.entries(networkInterfaces()).flatMap(([name, list]) => {
    const addresses = (list ?? []).filter((a) => !a.internal).map((a) => a.address);
    return addresses.length ? [{ name, addresses }] : [];
  });
}

export interface SpeakerOnDemandOptions extends AgentContext {
  /** BFD's connect gate, read when the speaker is built. */
  gate: () => LivenessGate;
}

export interface SpeakerOnDemand {
  /** The speaker, built by the first call that finds a router ID; undefined until then. */
  ensure(): Speaker | undefined;
  /** The speaker if built (never builds one). */
  current(): Speaker | undefined;
  /** The router ID the last ensure() found ('' before one). */
  routerId(): string;
}

export function speakerOnDemand(o: SpeakerOnDemandOptions): SpeakerOnDemand {
  const { config, source, nodeName, clock, random, log, metrics } = o;
  let speaker: Speaker | undefined;
  let routerId = '';
  const ensure = (): Speaker | undefined => {
    if (speaker) return speaker;
    const node = source.observe().node;
    const files = config.source === 'files';
    const cidr4 = nodeAddressCIDRFor(config, 4);
    const cidr6 = nodeAddressCIDRFor(config, 6);
    const candidates = files ? hostInterfaces().flatMap((i) => i.addresses) : nodeAddresses(node);
    routerId = config.bgp.routerId || pickAddress(candidates, 4, cidr4) || '';
    if (!routerId) return undefined;
    // Pinned next hops: the Node's addresses (kubernetes), or the host's inside bgp.nodeAddressCIDRs (files).
    const v4 = !files || cidr4 ? pickAddress(candidates, 4, cidr4) : undefined;
    const v6 = !files || cidr6 ? pickAddress(candidates, 6, cidr6) : undefined;
    // Otherwise the session's local address of the family, else the host's own address of it:
    // files mode any interface's (the one the session runs on first), kubernetes mode only the
    // interface holding the Node's address (a Node listing only its IPv4 on a dual-stack LAN).
    const nodeAddrs = nodeAddresses(node);
    const fallbackNextHop = (family: 4 | 6, local: string | undefined): string | undefined =>
      hostNextHop(hostInterfaces(), family, {
        anchors: files ? (local ? [local] : []) : nodeAddrs,
        cidr: family === 4 ? cidr4 : cidr6,
        anywhere: files,
      });
    speaker = new Speaker({
      routerId,
      hostname: nodeName,
      ...(v4 ? { nextHopV4: v4 } : {}),
      ...(v6 ? { nextHopV6: v6 } : {}),
      fallbackNextHop,
      ...(config.bgp.listenPort > 0 ? { listen: { address: '0.0.0.0', port: config.bgp.listenPort } } : {}),
      clock,
      random,
      log: log.child({ component: 'bgp' }),
      metrics,
      gate: o.gate(),
    });
    log.info('BGP speaker started', {
      routerId,
      nextHopV4: v4 ?? 'session address, else the host address',
      nextHopV6: v6 ?? 'session address, else the host address',
    });
    return speaker;
  };
  return { ensure, current: () => speaker, routerId: () => routerId };
}

/** BFD for the speaker's neighbors: UDP sockets open with the first session. */
export function bfdCoupling(o: {
  clock: Clock;
  random: () => number;
  log: Logger;
  metrics: Registry;
  speaker: () => Speaker | undefined;
}): BfdCoupling {
  const { clock, random, metrics } = o;
  const bfdLog = o.log.child({ component: 'bfd' });
  return new BfdCoupling({
    manager: new BfdManager({
      clock,
      random,
      transport: udpTransport({
        clock,
        random,
        onError: (err) => bfdLog.warn('bfd socket error', { error: String(err) }),
      }),
      log: bfdLog,
    }),
    speaker: o.speaker,
    log: bfdLog,
    metrics,
    clock,
  });
}
