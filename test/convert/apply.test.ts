/**
 * The converted fixtures apply cleanly with kubectl to the test API server that serves
 * edgelb's CRDs (from `edgelb manifests`), and read back unchanged: the server validates
 * against the CRDs' openAPIV3Schema and prunes unknown fields, so equality shows that
 * every field convert writes is one the CRDs declare.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { convertManifests } from '../../agent/convert/convert.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { missing } from '../support/env.ts';
import { kubectlPath } from '../support/kubectl.ts';

const ROOT = join(import.meta.dir, '..', '..');
const BUN = join(ROOT, 'node_modules', '.bin', 'bun');
const MAIN = join(ROOT, 'agent', 'main.ts');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'convert');
const SETS = [
  'blog-cilium.yaml',
  'cilium-v2-pools.yaml',
  'cilium-bgpv2.yaml',
  'metallb-bgp.yaml',
  'metallb-bfd.yaml',
  'metallb-l2.yaml',
  'cilium-l2.yaml',
  // The lossy sets apply too once the user accepts the loss.
  'metallb-l2-lossy.yaml --allow-lossy',
  'cilium-l2-lossy.yaml --allow-lossy',
];

// `edgelb manifests` (the CRDs) belongs to another part of the tree; until it exists this is skipped.
const hasManifests = existsSync(join(ROOT, 'agent', 'cli', 'manifests.ts'));
const why = missing({ tools: ['unzip'] });

async function run(cmd: string[], stdin?: string) {
  const child = Bun.spawn(cmd, {
    stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { stdout, stderr, code };
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!hasManifests || !!why)('converted manifests on an API server with edgelb’s CRDs', () => {
  let api: TestApiServer;
  let kubectl: string;

  beforeAll(async () => {
    kubectl = kubectlPath();
    api = await startApiServer();
    const crds = await run([BUN, MAIN, 'manifests']);
    expect(crds.code).toBe(0);
    for (const d of parseAllDocuments(crds.stdout)) {
      const obj = d.toJS();
      if (obj?.kind === 'CustomResourceDefinition') api.create(obj);
    }
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
  });

  for (const entry of SETS) {
    const [set = '', ...flags] = entry.split(' ');
    test(`${entry}: edgelb convert | kubectl apply -f - succeeds and reads back unchanged`, async () => {
      const converted = await run([BUN, MAIN, 'convert', ...flags, '-f', join(FIXTURES, set)]);
      expect(converted.code).toBe(0);
      const applied = await run(
        [kubectl, '--kubeconfig', api.kubeconfigCert, 'apply', '-f', '-'],
        converted.stdout,
      );
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      const expected = convertManifests(
        parseAllDocuments(readFileSync(join(FIXTURES, set), 'utf8')).map((d) => d.toJS()),
        { allowLossy: flags.includes('--allow-lossy') },
      ).objects;
      expect(expected.length).toBeGreaterThan(0);
      for (const o of expected) {
        const stored = api.get(o.apiVersion, o.kind, undefined, o.metadata.name);
        expect(stored?.spec).toEqual(JSON.parse(JSON.stringify(o.spec)));
      }
    }, 60_000);
  }
});
