/** Replays every crasher the fuzzer ever pinned: each must now decode or fail with a WireError. */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, WireError } from '../../agent/bgp/wire/index.ts';
import { hex } from './hex.ts';

const DIR = join(import.meta.dir, '..', 'fixtures', 'bgp', 'crashers');
const files = readdirSync(DIR).filter((f) => f.endsWith('.hex'));

describe('pinned fuzz crashers', () => {
  test('the crasher folder is read (README present)', () => {
    expect(readdirSync(DIR)).toContain('README.md');
  });
  for (const f of files) {
    test(f, () => {
      const b = hex(readFileSync(join(DIR, f), 'utf8'));
      for (const ctx of [
        { as4: true, maxLength: 4096 },
        { as4: false, maxLength: 4096 },
        { as4: true, maxLength: 65535 },
      ]) {
        try {
          decodeMessage(b, ctx);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
          expect((e as WireError).cause).toBeUndefined();
        }
      }
    });
  }
});
