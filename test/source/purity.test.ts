import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The validators and the manifest parser are PURE: the kubernetes source reuses them.
// (The validators now live in agent/api/validate/ and agent/api/<resource>.ts.)
const PURE = [
  'api/validate/resources.ts',
  'api/validate/fields.ts',
  'api/peering-policy.ts',
  'api/validate/core.ts',
  'source/files-manifests.ts',
  'source/files-observed.ts',
];

test.each(PURE)('agent/%s imports nothing impure and reads no clock', (name) => {
  const text = readFileSync(join(import.meta.dir, '..', '..', 'agent', name), 'utf8');
  const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
  expect(imports.length).toBeGreaterThan(0);
  expect(
    imports.filter(
      (i) => i === 'bun' || i.startsWith('node:') || i === 'hono' || i.startsWith('@kubernetes/'),
    ),
  ).toEqual([]);
  expect(text).not.toMatch(/Date\.now|setTimeout|Math\.random|process\./);
});
