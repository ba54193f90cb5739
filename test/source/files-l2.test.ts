/** FilesSource, L2 parts: L2AnnouncementPolicies from the manifests, this node as the only node, Valid in the state file. */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { FilesSource } from '../../agent/source/files.ts';

const BLOG = join(import.meta.dir, '..', 'fixtures', 'files', 'blog');
const L2 = `apiVersion: edgelb.io/v1alpha1
kind: L2AnnouncementPolicy
metadata: {name: blog-peering}
spec:
  nodeSelector: {matchLabels: {peering: "yes"}}
  interfaces: ["^eth0$"]
`;

let root: string;
let manifests: string;
let statePath: string;
const sources: FilesSource[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'edgelb-files-l2-'));
  manifests = join(root, 'manifests.d');
  statePath = join(root, 'state.json');
  cpSync(BLOG, manifests, { recursive: true });
});
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

async function make() {
  const src = new FilesSource({
    manifests,
    state: statePath,
    nodeName: 'pi4',
    nodeLabels: { peering: 'yes' },
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
    log: memoryLogger(),
  });
  sources.push(src);
  await src.start(() => {});
  return src;
}

describe('FilesSource: L2AnnouncementPolicy', () => {
  test('loaded from the manifests; this node is the only node, with its configured labels', async () => {
    writeFileSync(join(manifests, 'l2.yaml'), L2);
    const src = await make();
    const o = src.observe();
    expect(o.l2Policies?.map((p) => p.metadata.name)).toEqual(['blog-peering']);
    expect(o.nodes?.map((n) => [n.metadata.name, n.metadata.labels?.peering])).toEqual([['pi4', 'yes']]);
    expect(src.problems()).toEqual([]);
  });

  test('Valid goes to the state file apart from a peering policy of the same name, and is pruned with the policy', async () => {
    writeFileSync(join(manifests, 'l2.yaml'), L2);
    const src = await make();
    const l2 = src.observe().l2Policies![0]!;
    const bgp = src.observe().policies.find((p) => p.metadata.name === 'blog-peering');
    expect(bgp).toBeDefined(); // the blog's peering policy has the same name
    await src.writer.writeL2PolicyStatus?.(l2, {
      type: 'Valid',
      status: 'False',
      reason: 'Invalid',
      message: 'l2 problem',
    });
    await src.writer.writePolicyStatus(bgp!, {
      type: 'Valid',
      status: 'True',
      reason: 'Valid',
      message: 'ok',
    });
    expect(src.observe().l2Policies![0]!.status?.conditions?.[0]).toMatchObject({
      status: 'False',
      message: 'l2 problem',
    });
    expect(
      src.observe().policies.find((p) => p.metadata.name === 'blog-peering')!.status?.conditions?.[0],
    ).toMatchObject({
      status: 'True',
    });
    unlinkSync(join(manifests, 'l2.yaml'));
    await src.reload();
    expect(src.observe().l2Policies).toEqual([]);
    expect(readFileSync(statePath, 'utf8')).not.toContain('l2 problem');
  });

  test('an invalid policy is a problem naming the file and the field', async () => {
    writeFileSync(join(manifests, 'l2.yaml'), L2.replace('"^eth0$"', '"(["'));
    const src = await make();
    expect(src.problems().join('\n')).toContain('l2.yaml');
    expect(src.problems().join('\n')).toContain('interfaces');
    expect(src.observe().l2Policies).toEqual([]);
  });
});
