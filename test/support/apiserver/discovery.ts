// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * Discovery documents (/version, /api, /apis, group-version resource lists) and a minimal
 * OpenAPI v3 index whose PATCH operations advertise `fieldValidation`, so kubectl validates
 * server-side (plain `kubectl apply -f` works without --validate=false).
 */
import { createHash } from 'node:crypto';
import type { Registry } from './registry.ts';
import { apiVersionOf, crdVersion, type ResourceDef } from './resources.ts';

export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-edgelb-test',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function apiResources(defs: ResourceDef[]): any[] {
  const out: any[] = [];
  for (const d of defs) {
    const r: any = {
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: VERBS,
      storageVersionHash: createHash('sha256').update(`${d.group}/${d.plural}`).digest('base64').slice(0, 11),
    };
    if (d.shortNames.length > 0) r.shortNames = d.shortNames;
    if (d.categories.length > 0) r.categories = d.categories;
    out.push(r);
    if (d.statusSubresource)
      out.push({
        name: `${d.plural}/status`,
        singularName: '',
        namespaced: d.namespaced,
        kind: d.kind,
        verbs: ['get', 'patch', 'update'],
      });
  }
  return out;
}

function groupEntry(group: string, versions: string[]): any {
  const vs = versions.map((v) => ({ groupVersion: apiVersionOf(group, v), version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

/** Returns the discovery document for a path, or undefined when the path is not discovery. */
export function discovery(path: string, reg: Registry, serverAddress: string): any | undefined {
  if (path === '/version') return SERVER_VERSION;
  if (path === '/api')
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  if (path === '/api/v1')
    return {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: apiResources(reg.inGroupVersion('', 'v1')),
    };
  if (path === '/apis') {
    const groups = [...reg.groups()].filter(([g]) => g !== '').map(([g, vs]) => groupEntry(g, vs));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const versions = reg.groups().get(m[1]!);
  if (!versions) return undefined;
  if (m[2] === undefined) return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(m[1]!, versions) };
  if (!versions.includes(m[2])) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${m[1]}/${m[2]}`,
    resources: apiResources(reg.inGroupVersion(m[1]!, m[2])),
  };
}

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

const param = (name: string, where = 'query') => ({
  name,
  in: where,
  schema: { type: 'string', uniqueItems: true },
});

function operations(d: ResourceDef, version: string): Record<string, any> {
  const gvk = { group: d.group, version, kind: d.kind };
  const base = `/${gvPath(d.group, version)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}`;
  const common = { 'x-kubernetes-group-version-kind': gvk };
  const write = [param('dryRun'), param('fieldManager'), param('fieldValidation')];
  const item = {
    get: {
      ...common,
      'x-kubernetes-action': 'get',
      operationId: `read${d.kind}`,
      responses: { '200': { description: 'OK' } },
    },
    put: {
      ...common,
      'x-kubernetes-action': 'put',
      operationId: `replace${d.kind}`,
      parameters: write,
      responses: { '200': { description: 'OK' } },
    },
    patch: {
      ...common,
      'x-kubernetes-action': 'patch',
      operationId: `patch${d.kind}`,
      parameters: [...write, param('force')],
      requestBody: {
        content: {
          'application/json-patch+json': {},
          'application/merge-patch+json': {},
          ...(d.strategic ? { 'application/strategic-merge-patch+json': {} } : {}),
          'application/apply-patch+yaml': {},
        },
      },
      responses: { '200': { description: 'OK' } },
    },
    delete: {
      ...common,
      'x-kubernetes-action': 'delete',
      operationId: `delete${d.kind}`,
      responses: { '200': { description: 'OK' } },
    },
    parameters: [param('name', 'path'), ...(d.namespaced ? [param('namespace', 'path')] : [])],
  };
  const collection = {
    get: {
      ...common,
      'x-kubernetes-action': 'list',
      operationId: `list${d.kind}`,
      responses: { '200': { description: 'OK' } },
    },
    post: {
      ...common,
      'x-kubernetes-action': 'post',
      operationId: `create${d.kind}`,
      parameters: write,
      responses: { '201': { description: 'Created' } },
    },
  };
  const out: Record<string, any> = { [base]: collection, [`${base}/{name}`]: item };
  if (d.statusSubresource)
    out[`${base}/{name}/status`] = {
      get: item.get,
      put: item.put,
      patch: item.patch,
      parameters: item.parameters,
    };
  return out;
}

/** /openapi/v3 and /openapi/v3/<gv>; undefined when the path is not an OpenAPI document. */
export function openapiV3(path: string, reg: Registry): any | undefined {
  const gvs = new Map<string, { group: string; version: string }>();
  for (const [g, vs] of reg.groups()) for (const v of vs) gvs.set(gvPath(g, v), { group: g, version: v });
  if (path === '/openapi/v3') {
    const paths: Record<string, any> = {};
    for (const p of gvs.keys()) {
      const hash = createHash('sha256')
        .update(`${p}:${reg.generation}`)
        .digest('hex')
        .slice(0, 32)
        .toUpperCase();
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
    return { paths };
  }
  const gv = gvs.get(path.replace(/^\/openapi\/v3\//, ''));
  if (!path.startsWith('/openapi/v3/') || !gv) return undefined;
  const paths: Record<string, any> = {};
  const schemas: Record<string, any> = {};
  for (const d of reg.inGroupVersion(gv.group, gv.version)) {
    Object.assign(paths, operations(d, gv.version));
    const s = crdVersion(d, gv.version)?.schema?.openAPIV3Schema;
    if (s) schemas[schemaName(d.group, gv.version, d.kind)] = crSchema(s, d, gv.version);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas },
  };
}

/** "example.edgelb.io" + v1 + Widget -> "io.edgelb.example.v1.Widget", as the real server names CR schemas. */
function schemaName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** A custom resource's schema as published for `kubectl explain` (apiVersion/kind/metadata added). */
function crSchema(s: any, d: ResourceDef, version: string): any {
  return {
    ...s,
    properties: {
      apiVersion: {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      },
      kind: {
        type: 'string',
        description: 'Kind is a string value representing the REST resource this object represents.',
      },
      metadata: { type: 'object', description: 'Standard object metadata.' },
      ...(s.properties ?? {}),
    },
    'x-kubernetes-group-version-kind': [{ group: d.group, version, kind: d.kind }],
  };
}
