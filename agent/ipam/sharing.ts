/**
 * PURE. When two Services may hold the same IP. Each rule says why it exists.
 */
import type { Request } from './request.ts';
import type { ServiceView } from './types.ts';

export interface Sharer {
  view: ServiceView;
  request: Request;
}

export type Verdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'ip-in-use' | 'sharing-conflict';
      kind: 'key' | 'namespace' | 'ports' | 'traffic-policy';
      message: string;
    };

function samePods(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length === 0 || ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** May `a` take an IP that `b` holds? Symmetric. */
export function canShare(a: Sharer, b: Sharer): Verdict {
  const ka = a.request.sharingKey;
  const kb = b.request.sharingKey;
  // Sharing is opt-in on both sides: an IP is only shared under one agreed key.
  if (ka === undefined || kb === undefined || ka !== kb)
    return { ok: false, reason: 'ip-in-use', kind: 'key', message: `held by ${b.view.key}` };
  const conflict = (why: string, kind: 'namespace' | 'ports' | 'traffic-policy') => ({
    ok: false as const,
    reason: 'sharing-conflict' as const,
    kind,
    message: `cannot share with ${b.view.key} (sharing key ${JSON.stringify(ka)}): ${why}`,
  });
  // A key is a plain string anyone can type: across namespaces both owners must consent, or a
  // tenant could attach its Service to another tenant's IP.
  if (a.view.namespace !== b.view.namespace) {
    const aOk = a.request.crossNamespace.has('*') || a.request.crossNamespace.has(b.view.namespace);
    const bOk = b.request.crossNamespace.has('*') || b.request.crossNamespace.has(a.view.namespace);
    if (!aOk || !bOk)
      return conflict(
        'different namespaces; both must list each other in edgelb.io/sharing-cross-namespace',
        'namespace',
      );
  }
  // One IP, one port space: kube-proxy cannot route a port/protocol pair to two Services.
  for (const p of a.request.ports) if (b.request.ports.has(p)) return conflict(`both use port ${p}`, 'ports');
  // The IP is announced once per node: the nodes announcing it must agree for every Service.
  if (a.view.externalTrafficPolicy !== b.view.externalTrafficPolicy)
    return conflict('externalTrafficPolicy differs', 'traffic-policy');
  if (a.view.externalTrafficPolicy === 'Local' && !samePods(a.view.podSelector, b.view.podSelector))
    return conflict('externalTrafficPolicy Local Services must select the same pods', 'traffic-policy');
  return { ok: true };
}
