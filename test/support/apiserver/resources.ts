// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * The resource types served: built-ins plus whatever CustomResourceDefinitions register.
 * A resource is identified by group + plural; every served version reads the same objects.
 */
import { eventCoreToV1, eventV1ToCore } from './events-conversion.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ResourceDef {
  group: string;
  /** served versions, highest priority (the preferred one) first */
  versions: string[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  statusSubresource: boolean;
  /** metadata.generation bumps when anything outside metadata/status changes */
  bumpGeneration: boolean;
  /** status is cleared on create (Services, custom resources with a status subresource) */
  clearStatusOnCreate: boolean;
  /** field selector labels beyond metadata.name / metadata.namespace */
  fields: string[];
  /** MicroTime fields validated to exactly 6 fractional digits */
  microTimeFields: string[];
  /** strategic merge patch supported (built-ins only, like the real server) */
  strategic: boolean;
  /** the CRD that registered this resource, if any */
  crd?: any;
  /** store key when another resource owns the storage (events.k8s.io/v1 events live in core events) */
  storage?: string;
  /** served shape -> stored shape, and back */
  toStorage?: (obj: any) => any;
  fromStorage?: (obj: any) => any;
}

export const resourceKey = (group: string, plural: string): string => `${group}/${plural}`;
export const apiVersionOf = (group: string, version: string): string =>
  group ? `${group}/${version}` : version;

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceDef> = {},
): ResourceDef {
  return {
    group,
    versions: [version],
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: [],
    categories: [],
    statusSubresource: false,
    bumpGeneration: false,
    clearStatusOnCreate: false,
    fields: [],
    microTimeFields: [],
    strategic: true,
    ...extra,
  };
}

export function builtinResources(): ResourceDef[] {
  return [
    builtin('', 'v1', 'Namespace', 'namespaces', false, {
      shortNames: ['ns'],
      statusSubresource: true,
      fields: ['status.phase'],
    }),
    builtin('', 'v1', 'Service', 'services', true, {
      shortNames: ['svc'],
      categories: ['all'],
      statusSubresource: true,
      bumpGeneration: true,
      clearStatusOnCreate: true,
      fields: ['spec.type', 'spec.clusterIP'],
    }),
    builtin('', 'v1', 'Node', 'nodes', false, {
      shortNames: ['no'],
      statusSubresource: true,
      fields: ['spec.unschedulable'],
    }),
    builtin('', 'v1', 'Secret', 'secrets', true, { fields: ['type'] }),
    builtin('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
    builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
    builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
    builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
    builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
    builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
    builtin('', 'v1', 'Event', 'events', true, {
      shortNames: ['ev'],
      fields: [
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'reportingComponent',
        'source',
        'type',
      ],
      microTimeFields: ['eventTime'],
    }),
    builtin('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true, { fields: ['addressType'] }),
    builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true, {
      microTimeFields: ['spec.renewTime', 'spec.acquireTime'],
    }),
    builtin('events.k8s.io', 'v1', 'Event', 'events', true, {
      shortNames: ['ev'],
      fields: [
        'regarding.kind',
        'regarding.namespace',
        'regarding.name',
        'regarding.uid',
        'regarding.apiVersion',
        'reason',
        'reportingController',
        'type',
      ],
      microTimeFields: ['eventTime', 'series.lastObservedTime'],
      storage: '/events',
      toStorage: eventV1ToCore,
      fromStorage: eventCoreToV1,
    }),
    builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      statusSubresource: true,
      bumpGeneration: true,
      strategic: false,
    }),
  ];
}

/**
 * Kubernetes version priority (k8s.io/apimachinery version.CompareKubeAwareVersionStrings):
 * GA before beta before alpha, higher numbers first, anything else last.
 */
export function versionPriority(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  const major = Number(m[1]);
  const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return stage * 1e8 + major * 1e4 + Number(m[3] ?? 0);
}

/** The ResourceDef a CRD object declares (served versions only; storage version first). */
export function defFromCrd(crd: any): ResourceDef {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const served = (spec.versions ?? []).filter((v: any) => v.served !== false);
  served.sort((a: any, b: any) => versionPriority(b.name) - versionPriority(a.name));
  const sub = served[0]?.subresources ?? spec.subresources ?? {};
  return {
    group: spec.group,
    versions: served.map((v: any) => v.name),
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    plural: names.plural,
    singular: names.singular ?? String(names.kind).toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    statusSubresource: !!sub.status,
    bumpGeneration: true,
    clearStatusOnCreate: !!sub.status,
    fields: (served[0]?.selectableFields ?? []).map((f: any) => String(f.jsonPath).replace(/^\./, '')),
    microTimeFields: [],
    strategic: false,
    crd,
  };
}

/** The CRD's version entry for a served version. */
export function crdVersion(def: ResourceDef, version: string): any {
  return def.crd?.spec?.versions?.find((v: any) => v.name === version);
}

/** Checks the fields the real server insists on before a CRD can be created. */
export function crdProblems(crd: any): { field: string; message: string }[] {
  const p: { field: string; message: string }[] = [];
  const s = crd.spec ?? {};
  const n = s.names ?? {};
  if (!s.group) p.push({ field: 'spec.group', message: 'Required value' });
  if (!n.plural) p.push({ field: 'spec.names.plural', message: 'Required value' });
  if (!n.kind) p.push({ field: 'spec.names.kind', message: 'Required value' });
  if (s.scope !== 'Cluster' && s.scope !== 'Namespaced')
    p.push({
      field: 'spec.scope',
      message: `Unsupported value: "${s.scope}": supported values: "Cluster", "Namespaced"`,
    });
  const versions = s.versions ?? [];
  if (versions.length === 0) p.push({ field: 'spec.versions', message: 'Required value' });
  if (versions.filter((v: any) => v.storage).length !== 1)
    p.push({
      field: 'spec.versions',
      message: 'Invalid value: must have exactly one version marked as storage version',
    });
  if (n.plural && s.group && crd.metadata?.name !== `${n.plural}.${s.group}`)
    p.push({
      field: 'metadata.name',
      message: `Invalid value: "${crd.metadata?.name}": must be spec.names.plural+"."+spec.group`,
    });
  return p;
}

/** The status the real CRD controllers settle on: names accepted (unless a kind clashes) and Established. */
export function crdStatus(crd: any, conflict: string | undefined, t: string): any {
  return {
    conditions: [
      {
        type: 'NamesAccepted',
        status: conflict ? 'False' : 'True',
        reason: conflict ? 'KindConflict' : 'NoConflicts',
        message: conflict ?? 'no conflicts found',
        lastTransitionTime: t,
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: t,
      },
    ],
    acceptedNames: {
      ...crd.spec.names,
      singular: crd.spec.names.singular ?? String(crd.spec.names.kind).toLowerCase(),
      listKind: crd.spec.names.listKind ?? `${crd.spec.names.kind}List`,
    },
    storedVersions: crd.spec.versions.filter((v: any) => v.storage).map((v: any) => v.name),
  };
}
