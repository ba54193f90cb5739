/**
 * PURE. Adj-RIB-Out diff: what to announce and withdraw to move a peer from what it was
 * told to what it should hold. Values are attribute-set keys; a changed key re-announces.
 */
export interface RibDiff {
  announce: string[];
  withdraw: string[];
}

export function diff(advertised: ReadonlyMap<string, string>, desired: ReadonlyMap<string, string>): RibDiff {
  const announce: string[] = [];
  const withdraw: string[] = [];
  for (const [p, k] of desired) if (advertised.get(p) !== k) announce.push(p);
  for (const p of advertised.keys()) if (!desired.has(p)) withdraw.push(p);
  return { announce, withdraw };
}

/** Applies a diff to an Adj-RIB-Out in place (after the UPDATEs were queued). */
export function apply(rib: Map<string, string>, d: RibDiff, desired: ReadonlyMap<string, string>): void {
  for (const p of d.withdraw) rib.delete(p);
  for (const p of d.announce) rib.set(p, desired.get(p)!);
}
