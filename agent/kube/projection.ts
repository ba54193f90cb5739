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
import type { EndpointObject, EndpointSliceObject, NodeObject, ServiceObject } from '../api/core.ts';
import { sameEntries } from '../lib/records.ts';

type Spec = ServiceObject['spec'];

const SPEC_FIELDS = [
  'type',
  'loadBalancerClass',
  'loadBalancerIP',
  'selector',
  'externalTrafficPolicy',
  'ipFamilyPolicy',
] as const satisfies readonly (keyof Spec)[];

type Rec = Readonly<Record<string, string>> | undefined;

/**
 * Lists most Services have in common (["IPv4"], one port 80/TCP named http...) are shared by
 * all of them: never edited (a status write sends them back as they are). Bounded.
 */
const FAMILIES = new Map<string, NonNullable<Spec['ipFamilies']>>();
const PORTS = new Map<string, NonNullable<Spec['ports']>>();
const MAX_SHARED = 4096;

function shared<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size >= MAX_SHARED) cache.clear();
    cache.set(key, v);
  }
  return v;
}

function sharedPorts(ports: NonNullable<Spec['ports']>): NonNullable<Spec['ports']> {
  let key = '';
  for (const p of ports) key += `${p.name ?? ''}\u0000${p.port}\u0000${p.protocol ?? ''}\u0001`;
  return shared(PORTS, key, () =>
    ports.map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      port: p.port,
      ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
    })),
  );
}

function sameRecord(a: Rec, b: Rec): boolean {
  return a === b || (a !== undefined && b !== undefined && sameEntries(a, b));
}

function sameSpec(a: Spec, b: Spec): boolean {
  for (const f of SPEC_FIELDS) {
    if (f === 'selector') continue;
    if (a[f] !== b[f]) return false;
  }
  if (!sameRecord(a.selector, b.selector)) return false;
  const af = a.ipFamilies;
  const bf = b.ipFamilies;
  if (af !== bf && (af?.length !== bf?.length || af?.some((x, i) => x !== bf?.[i]))) return false;
  const ap = a.ports;
  const bp = b.ports;
  if (ap === bp) return true;
  if (!ap || !bp || ap.length !== bp.length) return false;
  return ap.every(
    (p, i) => p.name === bp[i]?.name && p.port === bp[i]?.port && p.protocol === bp[i]?.protocol,
  );
}

/**
 * Projects `o`. With `previous` (the cached version it replaces), equal parts are taken from
 * it: the echo of a status write then shares labels, annotations and spec with the version
 * before, and whatever the reconcile loop kept of that one costs nothing more.
 */
export function projectService(o: ServiceObject, previous?: ServiceObject): ServiceObject {
  const { managedFields: _drop, ...metadata } = o.metadata as ServiceObject['metadata'] & {
    managedFields?: unknown;
  };
  const src = (o.spec ?? {}) as Spec;
  let spec: Spec;
  {
    const out: Record<string, unknown> = {};
    for (const f of SPEC_FIELDS) if (src[f] !== undefined) out[f] = src[f];
    if (src.ipFamilies !== undefined)
      out.ipFamilies = shared(FAMILIES, src.ipFamilies.join(','), () => [...src.ipFamilies!]);
    if (src.ports !== undefined) out.ports = sharedPorts(src.ports);
    spec = out as Spec;
  }
  if (previous) {
    const pm = previous.metadata;
    if (metadata.labels && sameRecord(pm.labels, metadata.labels)) metadata.labels = pm.labels;
    if (metadata.annotations && sameRecord(pm.annotations, metadata.annotations))
      metadata.annotations = pm.annotations;
    if (sameSpec(previous.spec, spec)) spec = previous.spec;
  }
  const out: ServiceObject = { metadata, spec };
  if (o.apiVersion !== undefined) out.apiVersion = o.apiVersion;
  if (o.kind !== undefined) out.kind = o.kind;
  if (o.status !== undefined) out.status = o.status;
  return out;
}

/**
 * A Node as the L2 plan reads the other nodes: name, labels and whether it is cordoned (a
 * Node's status, with its images and conditions, is the bulk of it). Labels equal to the
 * previous version's are shared.
 */
export function projectNodeLabels(o: NodeObject, previous?: NodeObject): NodeObject {
  const m = o.metadata;
  const labels =
    m.labels && previous && sameRecord(previous.metadata.labels, m.labels)
      ? previous.metadata.labels
      : m.labels;
  return {
    metadata: {
      name: m.name,
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
      ...(labels ? { labels } : {}),
    },
    ...(o.spec?.unschedulable === true ? { spec: { unschedulable: true } } : {}),
  };
}

const NO_ADDRESSES: string[] = Object.freeze([]) as unknown as string[];

/**
 * An EndpointSlice as the announcements read it (externalTrafficPolicy: Local in BGP and L2
 * mode): which node each endpoint runs on and whether it is ready, serving, terminating. The
 * addresses, ports, targetRefs, zones and hints, the bulk of a slice, are dropped.
 */
export function projectEndpointSlice(o: EndpointSliceObject): EndpointSliceObject {
  const m = o.metadata;
  const endpoints = (o.endpoints ?? []).map((e): EndpointObject => {
    const c = e.conditions;
    return {
      addresses: NO_ADDRESSES,
      ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
      ...(c
        ? {
            conditions: {
              ...(c.ready !== undefined ? { ready: c.ready } : {}),
              ...(c.serving !== undefined ? { serving: c.serving } : {}),
              ...(c.terminating !== undefined ? { terminating: c.terminating } : {}),
            },
          }
        : {}),
    };
  });
  return {
    metadata: {
      name: m.name,
      namespace: m.namespace,
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
      ...(m.labels ? { labels: m.labels } : {}),
    },
    ...(o.addressType !== undefined ? { addressType: o.addressType } : {}),
    endpoints,
  };
}
