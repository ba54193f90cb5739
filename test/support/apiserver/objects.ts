// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * API semantics on top of the store: create / update / status update / patch / delete with
 * the checks kube-apiserver makes (409 AlreadyExists and Conflict, status subresource,
 * generation, no-op updates, finalizers, defaulting, MicroTime and CRD schema validation).
 */
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { eventV1Problems, leaseProblems, serviceProblems } from './builtin-validation.ts';
import { defaultNamespace, defaultSecret, defaultService, ServiceAllocator } from './defaults.ts';
import { ApiError, errors } from './errors.ts';
import { jsonPatch, mergePatch, strategicMerge } from './patch.ts';
import type { Registry } from './registry.ts';
import { apiVersionOf, crdProblems, crdStatus, crdVersion, type ResourceDef } from './resources.ts';
import type { Store } from './store.ts';
import { checkMicroTimes, nameProblem, validateCustomResource } from './validate.ts';

export interface WriteOpts {
  /** direct store access from tests: status kept on create, namespaces auto-created */
  direct?: boolean;
  subresource?: string;
  dryRun?: boolean;
  /** fieldValidation=Strict: unknown fields of custom resources are a 400, not silently pruned */
  strict?: boolean;
}

const nowTime = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const GEN_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted: equality that ignores key order, as the real server's decoded structs do. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(
          Object.keys(val)
            .sort()
            .map((k) => [k, val[k]]),
        )
      : val,
  );
}

function specPart(o: any): string {
  const { metadata, status, ...rest } = o;
  return canonical(rest);
}

function same(a: any, b: any): boolean {
  return canonical(a) === canonical(b);
}

export const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export class Api {
  private readonly alloc = new ServiceAllocator();

  constructor(
    readonly store: Store,
    readonly registry: Registry,
  ) {}

  key(def: ResourceDef): string {
    return this.registry.key(def);
  }

  get(def: ResourceDef, ns: string | undefined, name: string): any {
    const o = this.store.get(this.key(def), def.namespaced ? ns : undefined, name);
    if (!o) throw errors.notFound(def.plural, def.group, name);
    return o;
  }

  /** The object as served at a version: apiVersion and kind set. */
  present(def: ResourceDef, version: string, obj: any): any {
    const o = def.fromStorage ? def.fromStorage(obj) : obj;
    return { ...o, apiVersion: apiVersionOf(def.group, version), kind: def.kind, metadata: o.metadata };
  }

  /** Validation of the served shape, then conversion to the stored shape. */
  private toStorage(def: ResourceDef, body: any): any {
    if (def.group === 'events.k8s.io') {
      const p = eventV1Problems(body);
      if (p.length > 0) throw errors.invalid(def.kind, def.group, String(body.metadata?.name ?? ''), p);
    }
    return def.toStorage ? def.toStorage(body) : body;
  }

  create(def: ResourceDef, version: string, ns: string | undefined, body: any, opts: WriteOpts = {}): any {
    if (!body || typeof body !== 'object')
      throw errors.badRequest('the body of the request is not an object');
    const obj = this.toStorage(def, structuredClone(body));
    obj.apiVersion = apiVersionOf(def.group, def.versions[0]!);
    obj.kind = def.kind;
    obj.metadata ??= {};
    const md = obj.metadata;
    if (!md.name && md.generateName) {
      let s = '';
      for (let i = 0; i < 5; i++) s += GEN_CHARS[Math.floor(Math.random() * GEN_CHARS.length)];
      md.name = md.generateName + s;
    }
    const np = nameProblem(md.name);
    if (np)
      throw errors.invalid(def.kind, def.group, String(md.name ?? ''), [
        { field: 'metadata.name', message: np },
      ]);
    if (md.resourceVersion && !opts.direct)
      throw errors.badRequest('resourceVersion should not be set on objects to be created');
    if (def.namespaced) {
      const target = ns ?? md.namespace ?? 'default';
      if (md.namespace && md.namespace !== target)
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      md.namespace = target;
      this.ensureNamespace(target, !!opts.direct);
    } else delete md.namespace;
    const key = this.key(def);
    if (this.store.get(key, md.namespace, md.name))
      throw errors.alreadyExists(def.plural, def.group, md.name);
    md.uid = randomUUID();
    md.creationTimestamp = nowTime();
    delete md.deletionTimestamp;
    if (def.bumpGeneration) md.generation = 1;
    if (def.clearStatusOnCreate && !opts.direct) delete obj.status;
    this.admit(def, version, obj, undefined, opts.strict);
    if (opts.dryRun) return obj;
    const created = this.store.commit('ADDED', key, obj);
    if (def.plural === 'customresourcedefinitions') this.registry.registerCrd(created);
    return created;
  }

  private ensureNamespace(ns: string, create: boolean): void {
    if (this.store.get('/namespaces', undefined, ns)) return;
    if (!create) throw errors.notFound('namespaces', '', ns);
    const nsDef = this.registry.find('', 'v1', 'namespaces')!;
    this.create(nsDef, 'v1', undefined, { metadata: { name: ns } }, { direct: true });
  }

  /** Defaulting and validation shared by create and update. */
  private admit(
    def: ResourceDef,
    version: string,
    obj: any,
    old: any | undefined,
    strict = false,
    statusOnly = false,
  ): void {
    checkMicroTimes(obj, def.microTimeFields, def.kind, version);
    const key = `${def.group}/${def.plural}`;
    if (!statusOnly) {
      if (key === '/services') defaultService(obj, old, this.alloc);
      if (key === '/secrets') defaultSecret(obj);
      if (key === '/namespaces') defaultNamespace(obj);
      if (key === 'apiextensions.k8s.io/customresourcedefinitions') this.admitCrd(obj);
    }
    const builtinProblems =
      key === '/services'
        ? serviceProblems(obj, old)
        : key === 'coordination.k8s.io/leases'
          ? leaseProblems(obj)
          : [];
    if (builtinProblems.length > 0)
      throw errors.invalid(def.kind, def.group, obj.metadata.name, builtinProblems);
    if (def.crd) {
      const schema = crdVersion(def, version)?.schema?.openAPIV3Schema;
      const pruned: string[] = [];
      const problems = validateCustomResource(obj, schema, pruned);
      if (strict && pruned.length > 0)
        throw errors.badRequest(
          `${def.kind} in version "${version}" cannot be handled as a ${def.kind}: strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(', ')}`,
        );
      if (problems.length > 0) throw errors.invalid(def.kind, def.group, obj.metadata.name, problems);
    }
  }

  private admitCrd(crd: any): void {
    const p = crdProblems(crd);
    if (p.length > 0)
      throw errors.invalid('CustomResourceDefinition', 'apiextensions.k8s.io', crd.metadata.name, p);
    crd.status = crdStatus(crd, this.registry.nameConflict(crd), nowTime());
  }

  /** PUT: replaces the object (or only its status, for the status subresource). */
  update(
    def: ResourceDef,
    version: string,
    ns: string | undefined,
    name: string,
    body: any,
    opts: WriteOpts = {},
  ): any {
    if (!body || typeof body !== 'object')
      throw errors.badRequest('the body of the request is not an object');
    const old = this.get(def, ns, name);
    if (opts.subresource !== 'status') body = this.toStorage(def, body);
    const md = body.metadata ?? {};
    if (md.name !== undefined && md.name !== name)
      throw errors.badRequest(
        `the name of the object (${md.name}) does not match the name on the URL (${name})`,
      );
    if (md.resourceVersion && md.resourceVersion !== old.metadata.resourceVersion)
      throw errors.conflict(def.plural, def.group, name);
    let next: any;
    if (opts.subresource === 'status') {
      if (!def.statusSubresource) throw errors.unknownResource();
      next = { ...old, status: structuredClone(body.status) };
      if (body.status === undefined) delete next.status;
    } else {
      next = structuredClone(body);
      next.apiVersion = old.apiVersion;
      next.kind = old.kind;
      next.metadata = { ...md, name, namespace: old.metadata.namespace, uid: old.metadata.uid };
      next.metadata.creationTimestamp = old.metadata.creationTimestamp;
      if (old.metadata.deletionTimestamp) next.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
      else delete next.metadata.deletionTimestamp;
      if (def.statusSubresource && !opts.direct) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
      if (def.bumpGeneration) {
        next.metadata.generation =
          (old.metadata.generation ?? 1) + (specPart(next) !== specPart(old) ? 1 : 0);
      }
    }
    this.admit(def, version, next, old, opts.strict, opts.subresource === 'status');
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (same(next, old)) return old; // a no-op update does not bump resourceVersion, like the real server
    if (opts.dryRun) return next;
    const key = this.key(def);
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.finishDelete(def, next);
      return this.store.commit('DELETED', key, next);
    }
    const saved = this.store.commit('MODIFIED', key, next);
    if (def.plural === 'customresourcedefinitions' && def.group === 'apiextensions.k8s.io')
      this.registry.registerCrd(saved);
    return saved;
  }

  patch(
    def: ResourceDef,
    version: string,
    ns: string | undefined,
    name: string,
    contentType: string,
    raw: string,
    opts: WriteOpts & { fieldManager?: string },
  ): any {
    const type = contentType.split(';')[0]!.trim();
    let body: any;
    try {
      body = type === PATCH_TYPES.apply ? parseYaml(raw) : JSON.parse(raw);
    } catch (e) {
      throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    if (type === PATCH_TYPES.apply) {
      if (!opts.fieldManager)
        throw errors.badRequest('PATCH requests with apply content type must specify fieldManager');
      if (!this.store.get(this.key(def), def.namespaced ? ns : undefined, name)) {
        if (opts.subresource) throw errors.notFound(def.plural, def.group, name);
        return this.create(
          def,
          version,
          ns,
          { ...body, metadata: { ...(body?.metadata ?? {}), name } },
          opts,
        );
      }
    }
    const old = this.get(def, ns, name);
    const current = this.present(def, version, old);
    let patched: any;
    switch (type) {
      case PATCH_TYPES.merge:
        patched = mergePatch(current, body);
        break;
      case PATCH_TYPES.json:
        patched = jsonPatch(current, body);
        break;
      case PATCH_TYPES.strategic:
        if (!def.strategic)
          throw errors.unsupportedMediaType(type, [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply]);
        patched = strategicMerge(current, body);
        break;
      case PATCH_TYPES.apply:
        patched = strategicMerge(current, body);
        break;
      default:
        throw errors.unsupportedMediaType(type, Object.values(PATCH_TYPES));
    }
    if (!patched || typeof patched !== 'object') throw errors.badRequest('patch produced a non-object');
    patched.metadata ??= {};
    const rv = patched.metadata.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion)
      throw errors.conflict(def.plural, def.group, name);
    patched.metadata.resourceVersion = old.metadata.resourceVersion;
    return this.update(def, version, ns, name, patched, opts);
  }

  remove(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    preconditions: { resourceVersion?: string; uid?: string } = {},
    opts: WriteOpts = {},
  ): any {
    const old = this.get(def, ns, name);
    if (preconditions.uid && preconditions.uid !== old.metadata.uid)
      throw errors.conflict(
        def.plural,
        def.group,
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    if (preconditions.resourceVersion && preconditions.resourceVersion !== old.metadata.resourceVersion)
      throw errors.conflict(
        def.plural,
        def.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    if (opts.dryRun) return old;
    const key = this.key(def);
    if ((old.metadata.finalizers ?? []).length > 0) {
      if (old.metadata.deletionTimestamp) return old;
      old.metadata.deletionTimestamp = nowTime();
      old.metadata.deletionGracePeriodSeconds = 0;
      return this.store.commit('MODIFIED', key, old);
    }
    this.finishDelete(def, old);
    return this.store.commit('DELETED', key, old);
  }

  /** Cascades: a namespace takes its objects with it; a CRD takes its custom resources. */
  private finishDelete(def: ResourceDef, obj: any): void {
    if (def.group === '' && def.plural === 'namespaces') {
      for (const d of this.registry.all()) {
        if (!d.namespaced) continue;
        for (const o of this.store.list(this.key(d), obj.metadata.name))
          this.store.commit('DELETED', this.key(d), o);
      }
    }
    if (def.group === 'apiextensions.k8s.io' && def.plural === 'customresourcedefinitions') {
      const key = this.registry.unregisterCrd(obj);
      for (const o of this.store.list(key)) this.store.commit('DELETED', key, o);
      this.store.dropResource(key);
    }
  }
}

export { ApiError };
