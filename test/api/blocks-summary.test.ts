// The pool's Blocks column reads status.blocks: CIDRs and start-stop ranges alike, in spec order.
import { expect, test } from 'bun:test';
import { blocksSummary } from '../../agent/api/pool.ts';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';

test('CIDRs and ranges, in spec order', () => {
  expect(
    blocksSummary([
      { cidr: '172.198.1.0/30' },
      { start: '192.168.2.200', stop: '192.168.2.209' },
      { cidr: 'fd00::/120' },
    ]),
  ).toBe('172.198.1.0/30, 192.168.2.200-192.168.2.209, fd00::/120');
  expect(blocksSummary([])).toBe('');
});

test('the Blocks printer column reads status.blocks', () => {
  const pool = customResourceDefinitions().find((c) => c.spec.names.kind === 'LoadBalancerIPPool');
  const columns = pool?.spec.versions[0]?.additionalPrinterColumns ?? [];
  expect((columns as Record<string, unknown>[]).find((c) => c.name === 'Blocks')).toEqual({
    name: 'Blocks',
    type: 'string',
    jsonPath: '.status.blocks',
  });
});
