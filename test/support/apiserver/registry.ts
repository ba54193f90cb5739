// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/** Which resources are served: built-ins plus one entry per established CRD. */
import {
  apiVersionOf,
  builtinResources,
  defFromCrd,
  type ResourceDef,
  resourceKey,
  splitApiVersion,
  versionPriority,
} from './resources.ts';

export class Registry {
  private readonly defs = new Map<string, ResourceDef>();
  /** bumped on every change so discovery documents can carry a fresh hash */
  generation = 0;

  constructor() {
    for (const d of builtinResources()) this.defs.set(resourceKey(d.group, d.plural), d);
  }

  all(): ResourceDef[] {
    return [...this.defs.values()];
  }

  /** where the objects live in the store */
  key(def: ResourceDef): string {
    return def.storage ?? resourceKey(def.group, def.plural);
  }

  /** The resource served at /apis/group/version/plural. */
  find(group: string, version: string, plural: string): ResourceDef | undefined {
    const d = this.defs.get(resourceKey(group, plural));
    return d?.versions.includes(version) ? d : undefined;
  }

  findByKind(apiVersion: string, kind: string): ResourceDef | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    for (const d of this.defs.values())
      if (d.group === group && d.kind === kind && d.versions.includes(version)) return d;
    return undefined;
  }

  groups(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const d of this.defs.values()) {
      const vs = m.get(d.group) ?? [];
      for (const v of d.versions) if (!vs.includes(v)) vs.push(v);
      m.set(d.group, vs);
    }
    for (const vs of m.values()) vs.sort((a, b) => versionPriority(b) - versionPriority(a));
    return m;
  }

  inGroupVersion(group: string, version: string): ResourceDef[] {
    return this.all().filter((d) => d.group === group && d.versions.includes(version));
  }

  /** Registers (or re-registers) the resource a CRD declares; returns its key. */
  registerCrd(crd: any): string {
    const def = defFromCrd(crd);
    this.defs.set(resourceKey(def.group, def.plural), def);
    this.generation++;
    return resourceKey(def.group, def.plural);
  }

  unregisterCrd(crd: any): string {
    const key = resourceKey(crd.spec.group, crd.spec.names.plural);
    if (this.defs.get(key)?.crd) this.defs.delete(key);
    this.generation++;
    return key;
  }

  /** Conflicting names among served resources of the same group (NamesAccepted=False). */
  nameConflict(crd: any): string | undefined {
    const key = resourceKey(crd.spec.group, crd.spec.names.plural);
    for (const d of this.defs.values()) {
      if (d.group !== crd.spec.group || resourceKey(d.group, d.plural) === key) continue;
      if (d.kind === crd.spec.names.kind) return `"${d.kind}" is already in use`;
    }
    return undefined;
  }
}

export { apiVersionOf };
