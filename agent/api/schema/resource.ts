/**
 * PURE. A whole edgelb resource from its spec and status definitions: the validator
 * (apiVersion, kind, metadata, spec; status read leniently, since edgelb writes it) and
 * the CRD's openAPIV3Schema. kube/manifests.ts adds names, printer columns and scope.
 */
import { API_VERSION, type ObjectMeta } from '../v1alpha1.ts';
import {
  absent,
  isMap,
  mapping,
  metadata,
  type Problem,
  typeMeta,
  type Validation,
} from '../validate/fields.ts';
import type { Field, OpenApi } from './field.ts';

export interface ResourceShape {
  apiVersion: typeof API_VERSION;
  kind: string;
  metadata: ObjectMeta;
  spec: unknown;
  status?: unknown;
}

export interface ResourceDef<R extends ResourceShape> {
  readonly kind: R['kind'];
  /** The CRD's openAPIV3Schema. */
  readonly schema: OpenApi;
  /** Every problem at once with its path; the value carries the documented defaults. */
  validate(input: unknown): Validation<R>;
}

const TOP_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'] as const;

const TYPE_META: OpenApi = {
  apiVersion: {
    type: 'string',
    description: `The versioned schema of this representation of an object: ${API_VERSION}.`,
  },
  kind: { type: 'string', description: 'The REST resource this object represents.' },
  metadata: { type: 'object', description: "Standard object's metadata (name, labels, annotations)." },
};

export function resource<R extends ResourceShape>(o: {
  kind: R['kind'];
  description: string;
  spec: Field<R['spec']>;
  status?: Field<NonNullable<R['status']>>;
}): ResourceDef<R> {
  const properties: OpenApi = { ...TYPE_META, spec: o.spec.schema };
  if (o.status) properties.status = o.status.schema;
  const schema: OpenApi = { type: 'object', description: o.description, properties };
  if (o.spec.required !== undefined) schema.required = ['spec'];
  return {
    kind: o.kind,
    schema,
    validate(input) {
      const out: Problem[] = [];
      const top = mapping(input, '', out, o.status ? TOP_KEYS : TOP_KEYS.filter((k) => k !== 'status'));
      if (!top) return { ok: false, problems: out };
      typeMeta(top, o.kind, API_VERSION, out);
      const meta = metadata(top.metadata, 'metadata', out, false);
      let spec: R['spec'] | undefined;
      if (!absent(top.spec)) spec = o.spec.parse(top.spec, 'spec', out);
      else if (o.spec.required !== undefined) out.push({ path: 'spec', message: o.spec.required });
      else spec = o.spec.parse(o.spec.default ?? {}, 'spec', out);
      if (out.length || !meta) return { ok: false, problems: out };
      const value = { apiVersion: API_VERSION, kind: o.kind, metadata: meta, spec } as R;
      if (o.status?.loose && isMap(top.status)) value.status = o.status.loose(top.status);
      return { ok: true, value };
    },
  };
}
