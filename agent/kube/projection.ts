/**
 * PURE. What the informers keep of a Service: the fields edgelb reads, so 10,000 Services do
 * not keep 10,000 full API objects (clusterIPs, nodePorts, session affinity...) alive.
 *
 * - metadata is kept whole except managedFields: the status writer PUTs the cached object to
 *   /status, and for core Services the API server applies metadata from that body (only spec
 *   is reset), so dropping labels, annotations, finalizers or owner references here would
 *   delete them on the server. (managedFields may be omitted: the server then keeps its own.)
 * - spec keeps only what the IPAM, the class filter and the announcements read; the API
 *   server ignores spec on a /status write.
 * - status is kept whole (small; the writer sends it back with only our parts changed).
 */
import type { ServiceObject } from '../api/core.ts';

type Spec = ServiceObject['spec'];

const SPEC_FIELDS = [
  'type',
  'loadBalancerClass',
  'loadBalancerIP',
  'selector',
  'externalTrafficPolicy',
  'ipFamilies',
  'ipFamilyPolicy',
] as const satisfies readonly (keyof Spec)[];

export function projectService(o: ServiceObject): ServiceObject {
  const { managedFields: _drop, ...metadata } = o.metadata as ServiceObject['metadata'] & {
    managedFields?: unknown;
  };
  const src = (o.spec ?? {}) as Spec;
  const spec: Record<string, unknown> = {};
  for (const f of SPEC_FIELDS) if (src[f] !== undefined) spec[f] = src[f];
  if (src.ports !== undefined)
    spec.ports = src.ports.map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      port: p.port,
      ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
    }));
  const out: ServiceObject = { metadata, spec: spec as Spec };
  if (o.apiVersion !== undefined) out.apiVersion = o.apiVersion;
  if (o.kind !== undefined) out.kind = o.kind;
  if (o.status !== undefined) out.status = o.status;
  return out;
}
