/**
 * `edgelb plan` (issue 21) in files mode, through the real CLI: the blog's state is made by the
 * agent's own loop on the fixture manifests, then a shrink of blog-pool lists the Service that
 * would lose 172.198.1.2 (exit 3), a no-op edit exits 0, a malformed file exits 1 naming the
 * field, and a missing -f is a usage error (2).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { FilesSource } from '../../agent/source/files.ts';
import { runCli } from '../support/cli.ts';
import { FakeSpeaker } from '../support/fake-source.ts';

const BLOG = join(import.meta.dir, '..', 'fixtures', 'files', 'blog');
let root: string;
let config: string;
let statePath: string;

const pool = (block: string, extra = '') => `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata:
  name: blog-pool
spec:
  blocks:
    - ${block}
  serviceSelector:
    matchLabels:
      app.kubernetes.io/name: ingress-nginx
${extra}`;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'edgelb-plan-'));
  const manifests = join(root, 'manifests.d');
  statePath = join(root, 'state.json');
  cpSync(BLOG, manifests, { recursive: true });
  config = join(root, 'config.yaml');
  writeFileSync(
    config,
    `nodeName: pi4\nsource: files\nfiles:\n  manifests: ${manifests}\n  state: ${statePath}\n  nodeLabels: {peering: "yes"}\n`,
  );
  // The agent's loop writes the state the plan reads.
  const clock = new FakeClock(Date.now());
  const src = new FilesSource({
    manifests,
    state: statePath,
    nodeName: 'pi4',
    nodeLabels: { peering: 'yes' },
    clock,
    log: memoryLogger(),
  });
  const r = new Reconciler({
    source: src,
    speaker: () => new FakeSpeaker(),
    nodeName: 'pi4',
    defaultSecretNamespace: 'kube-system',
    clock,
    log: memoryLogger(),
    metrics: new Registry(),
  });
  await src.start(() => {});
  await r.runNow();
  r.stop();
  await src.stop();
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  expect(state.services['ingress-nginx/ingress-nginx-internal'].ips).toEqual(['172.198.1.2']);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function plan(yaml: string) {
  const file = join(root, 'edit.yaml');
  writeFileSync(file, yaml);
  return runCli(['plan', '-f', file, '--config', config]);
}

describe('edgelb plan (files mode)', () => {
  test('a shrink of the blog pool: the Service losing 172.198.1.2 and its withdrawal, exit 3', () => {
    const r = plan(pool('start: 172.198.1.1\n      stop: 172.198.1.1'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'Services whose IPs would change (1):',
        '  ingress-nginx/ingress-nginx-internal: 172.198.1.2 -> (none) (would be released: 172.198.1.2: no pool contains it any more)',
        'Announcements that would change (1):',
        '  node pi4, peer 192.168.2.1: withdraw 172.198.1.2/32',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(3);
  });

  test('a no-op edit (the same pool, a longer hold) exits 0', () => {
    const r = plan(pool('cidr: 172.198.1.0/30', '  releaseDelaySeconds: 3600\n'));
    expect(r.stdout).toBe('Nothing would move: no Service IP and no announcement changes.\n');
    expect(r.code).toBe(0);
  });

  test('a policy edit moving announcements: exit 3', () => {
    const r = plan(`apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata: {name: blog-peering}
spec:
  nodeSelector: {matchLabels: {peering: "no"}}
  virtualRouters:
    - localASN: 65001
      neighbors: [{peerASN: 65000, peerAddress: 192.168.2.1/32}]
      serviceSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
`);
    expect(r.stdout).toContain('node pi4, peer 192.168.2.1: withdraw 172.198.1.1/32, 172.198.1.2/32');
    expect(r.code).toBe(3);
  });

  test('a malformed file exits 1 naming the field', () => {
    const r = plan(pool('cidr: 172.198.1.0/33'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(LoadBalancerIPPool blog-pool): spec.blocks[0].cidr:');
    expect(r.stdout).toBe('');
  });

  test('usage: -f is required (exit 2); -f - reads standard input', () => {
    expect(runCli(['plan', '--config', config]).code).toBe(2);
    const r = runCli(['plan', '-f', '-', '--config', config], { input: pool('cidr: 172.198.1.0/30') });
    expect(r.code).toBe(0);
  });
});
