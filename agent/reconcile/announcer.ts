/**
 * The announce step, on every node: the desired announcements (plan/announce.ts) handed to the
 * BGP speaker, skipping the calls that would change nothing.
 */
import { type RouteAttributes, routeAttributesKey } from '../bgp/rib/route-attributes.ts';
import type { ObservedState } from '../source/types.ts';
import { type AnnouncePlan, type PeerPlan, planAnnouncements } from './plan/announce.ts';
import type { BfdPlan } from './plan/bfd-profiles.ts';
import type { NodeWithhold } from './plan/node-state.ts';
import type { ValidObjects } from './plan/valid-objects.ts';

/** The part of the BGP speaker the loop drives. */
export interface SpeakerPort {
  setPeers(peers: PeerPlan[]): void;
  setAdvertisements(
    desired: Map<string, string[]>,
    attributes?: ReadonlyMap<string, ReadonlyMap<string, RouteAttributes>>,
  ): void;
}

/** The BFD sessions the loop drives (reconcile/bfd-coupling.ts). */
export interface BfdPort {
  setSessions(sessions: BfdPlan[]): void;
}

export interface AnnouncerOptions {
  /** BFD for neighbors that name a BFDProfile (absent: BFD is not wired). */
  bfd?: BfdPort;
  speaker: () => SpeakerPort | undefined;
  nodeName: string;
  defaultSecretNamespace: string;
  /** A source whose snapshot is replaced on every change: the same snapshot plans the same. */
  snapshots: boolean;
}

function sameAdverts(a: Map<string, string[]>, b: Map<string, string[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, x] of a) {
    const y = b.get(id);
    if (!y || y.length !== x.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** Same route attributes per peer and prefix (compared by their canonical key). */
function sameAttributes(
  a: ReadonlyMap<string, ReadonlyMap<string, RouteAttributes>>,
  b: ReadonlyMap<string, ReadonlyMap<string, RouteAttributes>>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [id, x] of a) {
    const y = b.get(id);
    if (!y || y.size !== x.size) return false;
    for (const [p, r] of x) {
      const o = y.get(p);
      if (!o || (o !== r && routeAttributesKey(o) !== routeAttributesKey(r))) return false;
    }
  }
  return true;
}

export class Announcer {
  private lastPlan: AnnouncePlan | undefined;
  private plannedFrom: ObservedState | undefined;
  private plannedFor: SpeakerPort | undefined;
  private plannedWithheld = '';

  constructor(private readonly o: AnnouncerOptions) {}

  plan(): AnnouncePlan | undefined {
    return this.lastPlan;
  }

  announce(observed: ObservedState, objects: ValidObjects, withheld: readonly NodeWithhold[] = []): void {
    const speaker = this.o.speaker();
    const withheldKey = withheld.map((w) => w.reason).join(',');
    if (
      this.o.snapshots &&
      observed === this.plannedFrom &&
      speaker === this.plannedFor &&
      withheldKey === this.plannedWithheld &&
      this.lastPlan
    )
      return;
    const plan = planAnnouncements({
      nodeName: this.o.nodeName,
      nodeLabels: observed.node?.metadata.labels ?? {},
      policies: objects.policies,
      services: observed.services,
      endpointSlices: observed.endpointSlices,
      secrets: observed.secrets,
      defaultSecretNamespace: this.o.defaultSecretNamespace,
      ...(observed.bfdProfiles ? { bfdProfiles: observed.bfdProfiles } : {}),
      withheld,
      pools: objects.pools,
    });
    const before = this.lastPlan;
    const sameSpeaker = speaker === this.plannedFor;
    this.lastPlan = plan;
    this.plannedFrom = observed;
    this.plannedFor = speaker;
    this.plannedWithheld = withheldKey;
    if (!speaker) return;
    // BFD first: a new BGP session's first connect already waits for its BFD session.
    this.o.bfd?.setSessions(plan.bfd);
    speaker.setPeers(plan.peers);
    // The speaker re-reads every prefix on each call: skip the call when nothing moved.
    if (
      sameSpeaker &&
      before &&
      sameAdverts(before.advertisements, plan.advertisements) &&
      sameAttributes(before.attributes, plan.attributes)
    )
      return;
    speaker.setAdvertisements(plan.advertisements, plan.attributes);
  }
}
