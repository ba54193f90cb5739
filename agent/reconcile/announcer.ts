/**
 * The announce step, on every node: the desired announcements (plan/announce.ts) handed to the
 * BGP speaker, skipping the calls that would change nothing.
 */
import type { ObservedState } from '../source/types.ts';
import { type AnnouncePlan, type PeerPlan, planAnnouncements } from './plan/announce.ts';
import type { BfdPlan } from './plan/bfd-profiles.ts';
import type { ValidObjects } from './plan/valid-objects.ts';

/** The part of the BGP speaker the loop drives. */
export interface SpeakerPort {
  setPeers(peers: PeerPlan[]): void;
  setAdvertisements(desired: Map<string, string[]>): void;
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

export class Announcer {
  private lastPlan: AnnouncePlan | undefined;
  private plannedFrom: ObservedState | undefined;
  private plannedFor: SpeakerPort | undefined;

  constructor(private readonly o: AnnouncerOptions) {}

  plan(): AnnouncePlan | undefined {
    return this.lastPlan;
  }

  announce(observed: ObservedState, objects: ValidObjects): void {
    const speaker = this.o.speaker();
    if (this.o.snapshots && observed === this.plannedFrom && speaker === this.plannedFor && this.lastPlan)
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
      pools: observed.pools,
    });
    const before = this.lastPlan;
    const sameSpeaker = speaker === this.plannedFor;
    this.lastPlan = plan;
    this.plannedFrom = observed;
    this.plannedFor = speaker;
    if (!speaker) return;
    // BFD first: a new BGP session's first connect already waits for its BFD session.
    this.o.bfd?.setSessions(plan.bfd);
    speaker.setPeers(plan.peers);
    // The speaker re-reads every prefix on each call: skip the call when nothing moved.
    if (sameSpeaker && before && sameAdverts(before.advertisements, plan.advertisements)) return;
    speaker.setAdvertisements(plan.advertisements);
  }
}
