/**
 * PURE. One manifest file's text -> the objects edgelb uses, and one sentence per
 * problem naming the file, the document and the object. Multi-document YAML and
 * `kind: List` are accepted. Whether a bad file's last good version is kept is the
 * caller's decision (files.ts).
 */
import { parseAllDocuments } from 'yaml';
import type { EndpointSliceObject, NamespaceObject, ServiceObject } from '../api/core.ts';
import type {
  BFDProfile,
  BGPPeeringPolicy,
  L2AnnouncementPolicy,
  LoadBalancerIPPool,
} from '../api/v1alpha1.ts';
import { isMap, type Problem } from '../api/validate/fields.ts';
import {
  formatProblem,
  type SecretData,
  type Validation,
  validateBfdProfile,
  validateEndpointSlice,
  validateL2Policy,
  validateNamespace,
  validatePolicy,
  validatePool,
  validateSecret,
  validateService,
} from '../api/validate/resources.ts';

export type ManifestObject =
  | { kind: 'LoadBalancerIPPool'; value: LoadBalancerIPPool }
  | { kind: 'BGPPeeringPolicy'; value: BGPPeeringPolicy }
  | { kind: 'BFDProfile'; value: BFDProfile }
  | { kind: 'L2AnnouncementPolicy'; value: L2AnnouncementPolicy }
  | { kind: 'Service'; value: ServiceObject }
  | { kind: 'EndpointSlice'; value: EndpointSliceObject }
  | { kind: 'Secret'; value: SecretData }
  | { kind: 'Namespace'; value: NamespaceObject };

export interface LoadedObject {
  /** "Kind name" or "Kind namespace/name": unique across the directory. */
  id: string;
  /** "document 2" or "document 2, item 1" (1-based), for messages. */
  where: string;
  object: ManifestObject;
}

export interface ParsedFile {
  objects: LoadedObject[];
  /** Things the user must fix; any problem makes the file bad. */
  problems: string[];
  /** Objects of kinds edgelb does not read (ignored, worth a warning). */
  ignored: string[];
}

/** Namespace for namespaced objects that name none, as kubectl does. */
export const DEFAULT_NAMESPACE = 'default';

const CILIUM_KINDS = new Set([
  'CiliumLoadBalancerIPPool',
  'CiliumBGPPeeringPolicy',
  'CiliumBGPClusterConfig',
  'CiliumBGPPeerConfig',
  'CiliumBGPAdvertisement',
  'IPAddressPool',
  'BGPPeer',
  'BGPAdvertisement',
]);

function describe(doc: Record<string, unknown>): string {
  const kind = typeof doc.kind === 'string' ? doc.kind : 'object';
  const meta = isMap(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return name ? `${kind} ${ns}${name}` : kind;
}

function validate(doc: Record<string, unknown>): Validation<ManifestObject> | 'ignored' | Problem {
  const opts = { defaultNamespace: DEFAULT_NAMESPACE };
  const wrap = <K extends ManifestObject['kind']>(
    kind: K,
    r: Validation<Extract<ManifestObject, { kind: K }>['value']>,
  ): Validation<ManifestObject> =>
    r.ok ? { ok: true, value: { kind, value: r.value } as ManifestObject } : r;
  switch (doc.kind) {
    case 'LoadBalancerIPPool':
      return wrap('LoadBalancerIPPool', validatePool(doc));
    case 'BGPPeeringPolicy':
      return wrap('BGPPeeringPolicy', validatePolicy(doc));
    case 'BFDProfile':
      return wrap('BFDProfile', validateBfdProfile(doc));
    case 'L2AnnouncementPolicy':
      return wrap('L2AnnouncementPolicy', validateL2Policy(doc));
    case 'Service':
      return wrap('Service', validateService(doc, opts));
    case 'EndpointSlice':
      return wrap('EndpointSlice', validateEndpointSlice(doc, opts));
    case 'Secret':
      return wrap('Secret', validateSecret(doc, opts));
    case 'Namespace':
      return wrap('Namespace', validateNamespace(doc));
    case undefined:
    case null:
      return { path: 'kind', message: 'is required' };
    default:
      if (typeof doc.kind === 'string' && CILIUM_KINDS.has(doc.kind)) {
        return {
          path: 'kind',
          message: `${doc.kind} is a Cilium or MetalLB kind: convert it with "edgelb convert -f FILE"`,
        };
      }
      return 'ignored';
  }
}

function idOf(o: ManifestObject): string {
  const m = o.kind === 'Secret' ? { name: o.value.name, namespace: o.value.namespace } : o.value.metadata;
  return m.namespace !== undefined ? `${o.kind} ${m.namespace}/${m.name}` : `${o.kind} ${m.name}`;
}

export function parseManifestFile(file: string, text: string): ParsedFile {
  const res: ParsedFile = { objects: [], problems: [], ignored: [] };
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) {
    res.problems.push(`${file}: is not valid YAML`);
    return res;
  }
  const take = (doc: unknown, where: string) => {
    if (doc === null || doc === undefined) return;
    if (!isMap(doc)) {
      res.problems.push(
        `${file}: ${where}: must be a Kubernetes object (a mapping with kind), got a list or a value`,
      );
      return;
    }
    if (doc.kind === 'List' && Array.isArray(doc.items)) {
      doc.items.forEach((item, i) => {
        take(item, `${where}, item ${i + 1}`);
      });
      return;
    }
    const r = validate(doc);
    if (r === 'ignored') {
      res.ignored.push(`${file}: ${where} (${describe(doc)})`);
    } else if ('path' in r) {
      res.problems.push(`${file}: ${where} (${describe(doc)}): ${formatProblem(r)}`);
    } else if (!r.ok) {
      for (const p of r.problems)
        res.problems.push(`${file}: ${where} (${describe(doc)}): ${formatProblem(p)}`);
    } else {
      res.objects.push({ id: idOf(r.value), where, object: r.value });
    }
  };
  docs.forEach((d, i) => {
    const where = `document ${i + 1}`;
    if (d.errors.length > 0) {
      const e = d.errors[0]!;
      const pos = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
      res.problems.push(`${file}: ${where} is not valid YAML${pos}: ${e.message.split('\n')[0]}`);
      return;
    }
    take(d.toJS(), where);
  });
  return res;
}
