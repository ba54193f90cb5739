/** The router-config golden scenarios of test/fixtures/routercfg/, for golden.test.ts and golden-text.test.ts. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifests } from '../../agent/cli/router-config-inputs.ts';
import type { Target } from '../../agent/routercfg/render.ts';
import type { RouterNode } from '../../agent/routercfg/types.ts';

export const DIR = join(import.meta.dir, '..', 'fixtures', 'routercfg');
export const EXT: Record<Target, string> = { frr: 'conf', bird: 'conf', opnsense: 'txt', routeros: 'rsc' };

/** One scenario's inputs: manifests.yaml and nodes.json. */
export function scenario(name: string) {
  const objects = readManifests(join(DIR, name, 'manifests.yaml'));
  const nodes = JSON.parse(readFileSync(join(DIR, name, 'nodes.json'), 'utf8')) as RouterNode[];
  return {
    policies: objects.policies,
    pools: objects.pools,
    bfdProfiles: objects.bfdProfiles,
    nodes,
    router: [] as string[],
    defaultSecretNamespace: 'kube-system',
  };
}

export const scenarios = readdirSync(DIR).filter((d) => existsSync(join(DIR, d, 'manifests.yaml')));
