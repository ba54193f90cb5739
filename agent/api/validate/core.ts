/**
 * PURE. Validates the core Kubernetes objects edgelb reads (Service, EndpointSlice,
 * Node, Secret) into the small shapes of api/core.ts. Unknown fields are ignored (the
 * API server sends many); fields edgelb reads must have the right type.
 */
import type {
  EndpointObject,
  EndpointSliceObject,
  LoadBalancerIngress,
  NamespaceObject,
  NodeObject,
  ServiceObject,
  ServicePort,
} from '../core.ts';
import type { ObjectMeta } from '../v1alpha1.ts';
import {
  absent,
  at,
  bool,
  int,
  isMap,
  list,
  looseConditions,
  mapping,
  metadata,
  oneOf,
  type Problem,
  str,
  stringMap,
  typeMeta,
  type Validation,
} from './fields.ts';

export interface CoreOptions {
  /** Namespace for objects that name none (files mode: "default", as kubectl does). */
  defaultNamespace?: string;
}

function namespaced(
  meta: ObjectMeta | undefined,
  out: Problem[],
  opts: CoreOptions,
): (ObjectMeta & { namespace: string }) | undefined {
  if (!meta) return undefined;
  const namespace = meta.namespace ?? opts.defaultNamespace;
  if (namespace === undefined) {
    out.push({ path: 'metadata.namespace', message: 'is required' });
    return undefined;
  }
  return { ...meta, namespace };
}

/** The mapping, its kind/apiVersion and its namespaced metadata: how every namespaced core object starts. */
function namespacedObject(
  input: unknown,
  kind: string,
  apiVersion: string,
  out: Problem[],
  opts: CoreOptions,
) {
  const top = mapping(input, '', out);
  if (!top) return undefined;
  typeMeta(top, kind, apiVersion, out);
  return { top, meta: namespaced(metadata(top.metadata, 'metadata', out, true), out, opts) };
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

export function validateService(input: unknown, opts: CoreOptions = {}): Validation<ServiceObject> {
  const out: Problem[] = [];
  const start = namespacedObject(input, 'Service', 'v1', out, opts);
  if (!start) return { ok: false, problems: out };
  const { top, meta } = start;
  const svc: ServiceObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta ?? { name: '', namespace: '' },
    spec: {},
  };
  const spec = absent(top.spec) ? {} : mapping(top.spec, 'spec', out);
  if (spec) {
    const s = svc.spec;
    if (!absent(spec.type)) s.type = str(spec.type, 'spec.type', out);
    if (!absent(spec.loadBalancerClass))
      s.loadBalancerClass = str(spec.loadBalancerClass, 'spec.loadBalancerClass', out);
    if (!absent(spec.loadBalancerIP)) s.loadBalancerIP = str(spec.loadBalancerIP, 'spec.loadBalancerIP', out);
    if (!absent(spec.selector)) s.selector = stringMap(spec.selector, 'spec.selector', out);
    s.externalTrafficPolicy = absent(spec.externalTrafficPolicy)
      ? 'Cluster'
      : oneOf(spec.externalTrafficPolicy, 'spec.externalTrafficPolicy', out, ['Cluster', 'Local']);
    if (!absent(spec.ipFamilyPolicy)) {
      s.ipFamilyPolicy = oneOf(spec.ipFamilyPolicy, 'spec.ipFamilyPolicy', out, [
        'SingleStack',
        'PreferDualStack',
        'RequireDualStack',
      ]);
    }
    if (!absent(spec.ipFamilies)) {
      s.ipFamilies = [];
      (list(spec.ipFamilies, 'spec.ipFamilies', out) ?? []).forEach((f, i) => {
        const fam = oneOf(f, `spec.ipFamilies[${i}]`, out, ['IPv4', 'IPv6']);
        if (fam) s.ipFamilies!.push(fam);
      });
    }
    if (!absent(spec.ports)) {
      s.ports = [];
      (list(spec.ports, 'spec.ports', out) ?? []).forEach((p, i) => {
        const path = `spec.ports[${i}]`;
        const m = mapping(p, path, out);
        if (!m) return;
        const port: ServicePort = { port: 0, protocol: 'TCP' };
        if (absent(m.port)) out.push({ path: at(path, 'port'), message: 'is required' });
        else port.port = int(m.port, at(path, 'port'), out, 1, 65535) ?? 0;
        if (!absent(m.protocol)) port.protocol = oneOf(m.protocol, at(path, 'protocol'), out, PROTOCOLS);
        if (!absent(m.name)) port.name = str(m.name, at(path, 'name'), out);
        s.ports!.push(port);
      });
    }
  }
  if (isMap(top.status)) {
    svc.status = {};
    const lb = top.status.loadBalancer;
    if (isMap(lb) && Array.isArray(lb.ingress)) {
      svc.status.loadBalancer = {
        ingress: lb.ingress.filter(isMap).map((i) => {
          const ing: LoadBalancerIngress = {};
          if (typeof i.ip === 'string') ing.ip = i.ip;
          if (typeof i.hostname === 'string') ing.hostname = i.hostname;
          if (i.ipMode === 'VIP' || i.ipMode === 'Proxy') ing.ipMode = i.ipMode;
          return ing;
        }),
      };
    }
    const conditions = looseConditions(top.status.conditions);
    if (conditions) svc.status.conditions = conditions;
  }
  return out.length ? { ok: false, problems: out } : { ok: true, value: svc };
}

export function validateEndpointSlice(
  input: unknown,
  opts: CoreOptions = {},
): Validation<EndpointSliceObject> {
  const out: Problem[] = [];
  const start = namespacedObject(input, 'EndpointSlice', 'discovery.k8s.io/v1', out, opts);
  if (!start) return { ok: false, problems: out };
  const { top, meta } = start;
  const slice: EndpointSliceObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta ?? { name: '', namespace: '' },
    endpoints: [],
  };
  if (!absent(top.addressType)) {
    slice.addressType = oneOf(top.addressType, 'addressType', out, ['IPv4', 'IPv6', 'FQDN']);
  }
  if (!absent(top.endpoints)) {
    (list(top.endpoints, 'endpoints', out) ?? []).forEach((e, i) => {
      const path = `endpoints[${i}]`;
      const m = mapping(e, path, out);
      if (!m) return;
      const ep: EndpointObject = { addresses: [] };
      (absent(m.addresses) ? [] : (list(m.addresses, at(path, 'addresses'), out) ?? [])).forEach((a, j) => {
        const s = str(a, `${path}.addresses[${j}]`, out);
        if (s !== undefined) ep.addresses.push(s);
      });
      if (!absent(m.nodeName)) ep.nodeName = str(m.nodeName, at(path, 'nodeName'), out);
      if (!absent(m.conditions)) {
        const cp = at(path, 'conditions');
        const c = mapping(m.conditions, cp, out);
        if (c) {
          ep.conditions = {};
          for (const k of ['ready', 'serving', 'terminating'] as const) {
            if (!absent(c[k])) ep.conditions[k] = bool(c[k], at(cp, k), out);
          }
        }
      }
      slice.endpoints!.push(ep);
    });
  }
  return out.length ? { ok: false, problems: out } : { ok: true, value: slice };
}

export function validateNamespace(input: unknown): Validation<NamespaceObject> {
  const out: Problem[] = [];
  const top = mapping(input, '', out);
  if (!top) return { ok: false, problems: out };
  typeMeta(top, 'Namespace', 'v1', out);
  const meta = metadata(top.metadata, 'metadata', out, false);
  return out.length || !meta ? { ok: false, problems: out } : { ok: true, value: { metadata: meta } };
}

export function validateNode(input: unknown): Validation<NodeObject> {
  const out: Problem[] = [];
  const top = mapping(input, '', out);
  if (!top) return { ok: false, problems: out };
  typeMeta(top, 'Node', 'v1', out);
  const meta = metadata(top.metadata, 'metadata', out, false);
  const node: NodeObject = { metadata: meta ?? { name: '' } };
  if (isMap(top.status) && !absent(top.status.addresses)) {
    const addresses: { type: string; address: string }[] = [];
    (list(top.status.addresses, 'status.addresses', out) ?? []).forEach((a, i) => {
      const path = `status.addresses[${i}]`;
      const m = mapping(a, path, out);
      if (!m) return;
      const type = str(m.type, at(path, 'type'), out);
      const address = str(m.address, at(path, 'address'), out);
      if (type !== undefined && address !== undefined) addresses.push({ type, address });
    });
    node.status = { addresses };
  }
  return out.length ? { ok: false, problems: out } : { ok: true, value: node };
}

export interface SecretData {
  namespace: string;
  name: string;
  /** Decoded values: stringData as is, data base64-decoded (UTF-8); stringData wins, as in the API. */
  data: Record<string, string>;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function validateSecret(input: unknown, opts: CoreOptions = {}): Validation<SecretData> {
  const out: Problem[] = [];
  const start = namespacedObject(input, 'Secret', 'v1', out, opts);
  if (!start) return { ok: false, problems: out };
  const { top, meta } = start;
  const data: Record<string, string> = {};
  if (!absent(top.data)) {
    for (const [k, v] of Object.entries(stringMap(top.data, 'data', out) ?? {})) {
      const clean = v.replace(/\s+/g, '');
      if (!BASE64.test(clean)) {
        out.push({ path: at('data', k), message: 'must be base64 (use stringData for plain text)' });
        continue;
      }
      const bytes = Uint8Array.from(atob(clean), (ch) => ch.charCodeAt(0));
      data[k] = new TextDecoder().decode(bytes);
    }
  }
  if (!absent(top.stringData)) Object.assign(data, stringMap(top.stringData, 'stringData', out));
  if (out.length || !meta) return { ok: false, problems: out };
  return { ok: true, value: { namespace: meta.namespace, name: meta.name, data } };
}
