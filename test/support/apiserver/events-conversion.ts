// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * events.k8s.io/v1 Event <-> core/v1 Event. The real server keeps one storage for both, so an
 * event written through one API is listed by the other (`kubectl describe` reads core/v1).
 */

const RENAMES: [v1: string, core: string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(o: any, from: 0 | 1): any {
  if (!o || typeof o !== 'object') return o;
  const out = { ...o };
  for (const pair of RENAMES) {
    const src = pair[from];
    const dst = pair[1 - from]!;
    if (src in out) {
      out[dst] = out[src];
      delete out[src];
    }
  }
  return out;
}

/** events.k8s.io/v1 shape -> core/v1 shape (the storage form). */
export const eventV1ToCore = (o: any): any => rename(o, 0);
/** core/v1 shape -> events.k8s.io/v1 shape. */
export const eventCoreToV1 = (o: any): any => rename(o, 1);
