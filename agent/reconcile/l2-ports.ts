/**
 * The two things L2 mode's reconcile step (l2-announcer.ts) drives, as ports: the ownership
 * (L2Ownership in kubernetes mode, StaticOwnership in files mode) and the Responder.
 */
import type { OwnershipCandidate } from '../l2/ownership.ts';
import type { L2OwnershipSnapshot } from '../l2/ownership-controller.ts';
import type { OwnedEntry, Problem, ResponderCounters } from '../l2/responder.ts';

/** The ownership as the loop drives it: L2Ownership (kubernetes) or StaticOwnership (files). */
export interface OwnershipPort {
  start(): void;
  stop(): Promise<void>;
  setCandidates(candidates: readonly OwnershipCandidate[]): void;
  mayAnswer(ip: string): boolean;
  snapshot?(): L2OwnershipSnapshot;
}

/** The part of the Responder the loop drives. */
export interface ResponderPort {
  setOwned(owned: ReadonlyMap<string, string | readonly string[]>): Problem[];
  snapshot(): { owned: OwnedEntry[] };
  /** Changes whenever the answered (IP, interface) pairs change. */
  generation(): number;
  /** The answered pairs as "ip%interface". */
  answeredKeys(): Iterable<string>;
  counters(): ResponderCounters;
  stop(): void;
}
