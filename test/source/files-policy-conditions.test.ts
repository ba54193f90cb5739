/** Files mode keeps every condition type of a policy (Valid and BFDProfileResolved) side by side. */
import { expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { StatusStore } from '../../agent/source/files-status.ts';

test('setPolicy sets one condition type and keeps the others; unchanged writes change nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-conds-'));
  try {
    const clock = new FakeClock();
    const s = new StatusStore(join(dir, 'state.json'), clock, memoryLogger('error'));
    s.load();
    const valid = { type: 'Valid', status: 'True' as const, reason: 'Valid', message: 'Policy is valid' };
    const missing = {
      type: 'BFDProfileResolved',
      status: 'False' as const,
      reason: 'ProfileNotFound',
      message: 'BFDProfile x not found',
    };
    expect(s.setPolicy('p', valid)).toBe(true);
    expect(s.setPolicy('p', missing)).toBe(true);
    expect(s.setPolicy('p', valid)).toBe(false);
    expect(s.setPolicy('p', missing)).toBe(false);
    expect(s.policyConditions('p')?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Valid=True',
      'BFDProfileResolved=False',
    ]);
    clock.advance(5000);
    expect(s.setPolicy('p', { ...missing, status: 'True', reason: 'Resolved', message: 'found' })).toBe(true);
    const conds = s.policyConditions('p')!;
    expect(conds.map((c) => `${c.type}=${c.status}`)).toEqual(['Valid=True', 'BFDProfileResolved=True']);
    expect(conds[1]!.lastTransitionTime).not.toBe(conds[0]!.lastTransitionTime);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
