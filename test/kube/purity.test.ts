import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The decision logic of the Kubernetes layer is PURE: FakeClock tests cover it without I/O.
const PURE = [
  'lease-record.ts',
  'conditions.ts',
  'service-class.ts',
  'manifests.ts',
  'response-shape.ts',
  'changed-keys.ts',
  'describe-request.ts',
];

test.each(PURE)('agent/kube/%s imports nothing impure and reads no clock', (name) => {
  const text = readFileSync(join(import.meta.dir, '..', '..', 'agent', 'kube', name), 'utf8');
  expect(text).toContain('PURE.');
  const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
  expect(
    imports.filter(
      (i) => i === 'bun' || i.startsWith('node:') || i === 'hono' || i.startsWith('@kubernetes/'),
    ),
  ).toEqual([]);
  expect(text).not.toMatch(/Date\.now|setTimeout|setInterval|Math\.random|process\.|performance\.now/);
});
