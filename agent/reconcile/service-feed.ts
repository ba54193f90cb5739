/**
 * The optional capability of a Source that makes the loop incremental: which Services changed.
 */
import type { ServiceObject } from '../api/core.ts';
import type { Source } from '../source/types.ts';

/**
 * Objects must be replaced on change, never edited in place (the loop keeps the version it
 * last evaluated).
 */
export interface ServiceChangeFeed {
  /** Keys ("namespace/name") added, changed or deleted since the last call, or 'all'. */
  takeServiceChanges(): ReadonlySet<string> | 'all';
  /** The current object for a key, as observe() lists it. */
  service(key: string): ServiceObject | undefined;
}

export function feedOf(source: Source): ServiceChangeFeed | undefined {
  const f = source as Partial<ServiceChangeFeed>;
  return typeof f.takeServiceChanges === 'function' && typeof f.service === 'function'
    ? (f as ServiceChangeFeed)
    : undefined;
}
