/**
 * Issue 20 in L2 mode: an excluded or cordoned node gives its IPs away. Three agents
 * (test/support/l2-lab.ts), one dual-stack Service; labelling its owner
 * node.kubernetes.io/exclude-from-external-load-balancers, then cordoning the next owner, moves
 * the IPs each time to a node that may announce, with never two MACs answering one request.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { missing } from '../support/env.ts';
import {
  dualStackService,
  L2_NODES,
  type L2Lab,
  type L2Node,
  serviceIPs,
  startL2Lab,
} from '../support/l2-lab.ts';
import { waitFor } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip'] });
const EXCLUDE = 'node.kubernetes.io/exclude-from-external-load-balancers';
type NodeJson = { metadata: { labels: Record<string, string> }; spec?: { unschedulable?: boolean } };

describe.skipIf(!!why)('L2 mode: excluded and cordoned nodes give their IPs away', () => {
  let lab: L2Lab;
  let v4 = '';
  let v6 = '';
  const setNode = (node: L2Node, edit: (n: NodeJson) => void) => {
    const n = structuredClone(lab.api.get('v1', 'Node', undefined, node));
    edit(n);
    lab.api.update(n);
  };

  beforeAll(async () => {
    lab = await startL2Lab('e2lm');
    for (const n of L2_NODES) lab.startAgent(n);
    await lab.waitAllLive();
    lab.api.create(dualStackService('web'));
    const got = await waitFor(
      'web gets two IPs',
      () => {
        const v = serviceIPs(lab.api, 'web');
        return v.length === 2 ? v : undefined;
      },
      { timeoutMs: 30_000 },
    );
    v4 = got[0]!;
    v6 = got[1]!;
  }, 90_000);

  afterAll(async () => {
    await lab?.destroy();
  }, 30_000);

  test('the exclusion label: the owner stops answering, another node takes both IPs', async () => {
    const first = await lab.waitOwner(v4);
    const since = Date.now();
    const t0 = performance.now();
    setNode(first, (n) => {
      n.metadata.labels[EXCLUDE] = '';
    });
    const next = await lab.waitOwner(v4, (n) => n !== first, 15_000);
    console.log(`excluded ${first}: ${next} answers ${v4} after ${Math.round(performance.now() - t0)} ms`);
    expect(await lab.waitOwner(v6, (n) => n !== first, 15_000)).toBe(next);
    expect(lab.client.conflicts.filter((a) => a.at >= since)).toEqual([]);
    const st = (await lab.status(first)) as { l2?: { active: boolean }; maintenance?: { state: string } };
    expect(st.maintenance?.state).toBe('excluded');
    expect(st.l2?.active).toBe(false);
  }, 40_000);

  test('cordon: the new owner gives the IPs away too, never to the excluded node', async () => {
    const owner = await lab.waitOwner(v4);
    setNode(owner, (n) => {
      n.spec = { ...(n.spec ?? {}), unschedulable: true };
    });
    const next = await lab.waitOwner(v4, (n) => n !== owner, 15_000);
    const st = (await lab.status(next)) as { maintenance?: { state: string } };
    expect(st.maintenance?.state).toBe('active');
    const left = L2_NODES.filter((n) => n !== owner && n !== next);
    // the third node is the excluded one: it must not be the owner
    expect(left.length).toBe(1);
    expect(next).not.toBe(left[0]);
  }, 40_000);
});
