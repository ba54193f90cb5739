/**
 * The CRD schemas and the validators come from one definition per resource; this test
 * shows they agree. One corpus (corpus.ts, hand-written, plus cases generated from the
 * schemas: every bound crossed, every required field dropped, every field given the
 * wrong type, every enum given a stranger) goes through the test API server's schema
 * check and through the validators. The only differences allowed are the ones a CRD
 * schema cannot express, each named in the corpus with its reason.
 */
import { describe, expect, test } from 'bun:test';
import type { Validation } from '../../agent/api/validate/fields.ts';
import {
  validateBfdProfile,
  validateL2Policy,
  validatePolicy,
  validatePool,
} from '../../agent/api/validate/resources.ts';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';
import { validateCustomResource } from '../support/apiserver/validate.ts';
import { BASE, type Case, CORPUS, type Kind } from './corpus.ts';

// biome-ignore lint/suspicious/noExplicitAny: walking JSON schemas and objects
type Json = any;

const VALIDATORS: Record<Kind, (x: unknown) => Validation<unknown>> = {
  LoadBalancerIPPool: validatePool,
  BGPPeeringPolicy: validatePolicy,
  BFDProfile: validateBfdProfile,
  L2AnnouncementPolicy: validateL2Policy,
};

const SCHEMAS = new Map<string, Json>(
  customResourceDefinitions().map((c) => [c.spec.names.kind, c.spec.versions[0]!.schema.openAPIV3Schema]),
);

function object(kind: Kind, spec: unknown) {
  return {
    apiVersion: 'edgelb.io/v1alpha1',
    kind,
    metadata: { name: 'corpus' },
    ...(spec === undefined ? {} : { spec }),
  };
}

/** What the test server says; a pruned (unknown) field counts as a refusal, as with fieldValidation=Strict. */
function schemaSays(kind: Kind, spec: unknown): { ok: boolean; why: string[] } {
  const pruned: string[] = [];
  const problems = validateCustomResource(structuredClone(object(kind, spec)), SCHEMAS.get(kind), pruned);
  const why = [
    ...problems.map((p) => `${p.field}: ${p.message}`),
    ...pruned.map((p) => `${p}: unknown field`),
  ];
  return { ok: why.length === 0, why };
}

function validatorSays(kind: Kind, spec: unknown): { ok: boolean; why: string[] } {
  const r = VALIDATORS[kind](object(kind, spec));
  return { ok: r.ok, why: r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`) };
}

/** Paths of every field under spec, with its schema, one array item deep. */
function fields(schema: Json, path: (string | number)[] = []): { path: (string | number)[]; schema: Json }[] {
  const out: { path: (string | number)[]; schema: Json }[] = [];
  if (schema?.type === 'array') return fields(schema.items, [...path, 0]);
  for (const [k, s] of Object.entries<Json>(schema?.properties ?? {})) {
    out.push({ path: [...path, k], schema: s });
    out.push(...fields(s, [...path, k]));
  }
  return out;
}

function setAt(root: Json, path: (string | number)[], value: unknown): Json {
  const copy = structuredClone(root);
  let o = copy;
  for (const k of path.slice(0, -1)) {
    if (o[k] === undefined) o[k] = {};
    o = o[k];
  }
  const last = path.at(-1)!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

const WRONG: Record<string, unknown> = { string: 5, integer: '5', boolean: 'yes', array: 'x', object: 'x' };

/** Cases derived from the schema of each kind: all must be refused by both. */
function generated(): Case[] {
  const out: Case[] = [];
  for (const kind of Object.keys(BASE) as Kind[]) {
    const spec = SCHEMAS.get(kind).properties.spec;
    for (const f of fields(spec)) {
      const name = `${kind} ${f.path.join('.')}`;
      const add = (what: string, v: unknown) =>
        out.push({ name: `${name}: ${what}`, kind, spec: setAt(BASE[kind], f.path, v), valid: false });
      if (f.schema.minimum !== undefined) add('below minimum', f.schema.minimum - 1);
      if (f.schema.maximum !== undefined) add('above maximum', f.schema.maximum + 1);
      if (f.schema.enum) add('not in enum', 'Stranger');
      if (WRONG[f.schema.type] !== undefined) add(`not ${f.schema.type}`, WRONG[f.schema.type]);
      if (f.schema.minLength && f.schema.type === 'string') add('empty', '');
    }
    const required = (s: Json, path: (string | number)[]) => {
      for (const r of s?.required ?? []) {
        out.push({
          name: `${kind} ${[...path, r].join('.')}: missing`,
          kind,
          spec: setAt(BASE[kind], [...path, r], undefined),
          valid: false,
        });
      }
    };
    required(spec, []);
    for (const f of fields(spec))
      required(
        f.schema.type === 'array' ? f.schema.items : f.schema,
        f.schema.type === 'array' ? [...f.path, 0] : f.path,
      );
  }
  return out;
}

describe('one corpus through the schema check and the validators', () => {
  test('the base objects pass both, and the corpus is not empty', () => {
    for (const kind of Object.keys(BASE) as Kind[]) {
      expect({ kind, schema: schemaSays(kind, BASE[kind]).why }).toEqual({ kind, schema: [] });
      expect({ kind, validator: validatorSays(kind, BASE[kind]).why }).toEqual({ kind, validator: [] });
    }
    expect(CORPUS.length).toBeGreaterThan(30);
    expect(generated().length).toBeGreaterThan(100);
  });

  test.each([...CORPUS, ...generated()].map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const v = validatorSays(c.kind, c.spec);
    const s = schemaSays(c.kind, c.spec);
    expect({ validator: v.ok, why: v.why.length > 0 }).toEqual({ validator: c.valid, why: !c.valid });
    // agreement, except where the corpus names what the schema cannot say
    expect({ schema: s.ok, why: s.why }).toEqual(
      c.only ? { schema: true, why: [] } : { schema: c.valid, why: c.valid ? [] : expect.any(Array) },
    );
    if (!c.valid && !c.only) expect(s.why.length).toBeGreaterThan(0);
  });
});

describe('the CRD schemas explain themselves', () => {
  test('every property of every CRD has a description', () => {
    const missing: string[] = [];
    for (const [kind, schema] of SCHEMAS) {
      const walk = (s: Json, path: string) => {
        if (!s?.description && path !== kind) missing.push(path);
        if (s?.items) walk(s.items, `${path}[]`);
        for (const [k, sub] of Object.entries<Json>(s?.properties ?? {})) walk(sub, `${path}.${k}`);
      };
      if (!schema.description) missing.push(kind);
      walk(schema, kind);
    }
    expect(missing).toEqual([]);
  });

  test('defaults in the schema are the ones the validators apply', () => {
    const bfd = validateBfdProfile(object('BFDProfile', undefined));
    const spec = SCHEMAS.get('BFDProfile').properties.spec.properties;
    expect(bfd.ok && bfd.value.spec).toEqual(
      Object.fromEntries(Object.entries<Json>(spec).map(([k, s]) => [k, s.default])),
    );
    const policy = validatePolicy(object('BGPPeeringPolicy', BASE.BGPPeeringPolicy));
    const n =
      SCHEMAS.get('BGPPeeringPolicy').properties.spec.properties.virtualRouters.items.properties.neighbors
        .items;
    const plain = validatePolicy(
      object('BGPPeeringPolicy', {
        virtualRouters: [{ localASN: 1, neighbors: [{ peerAddress: '10.0.0.1', peerASN: 2 }] }],
      }),
    );
    expect(policy.ok).toBe(true);
    const got = plain.ok ? plain.value.spec.virtualRouters[0]!.neighbors[0]! : {};
    for (const [k, s] of Object.entries<Json>(n.properties)) {
      if (s.default !== undefined && typeof s.default !== 'object')
        expect([k, (got as Json)[k]]).toEqual([k, s.default]);
    }
  });
});
