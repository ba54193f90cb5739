/**
 * The CRDs' OpenAPI schemas are the published API: a snapshot pins every bound, pattern,
 * default and description derived from agent/api, so a change to them is a reviewed change
 * (`bun test test/api/crd-schemas.test.ts --update-snapshots` after a deliberate one).
 */
import { expect, test } from 'bun:test';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';

test('the CRD schemas', () => {
  expect(customResourceDefinitions()).toMatchSnapshot();
});
