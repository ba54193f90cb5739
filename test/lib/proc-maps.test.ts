/** agent/lib/proc-maps.ts: the mappings of one file in a /proc/PID/maps text. */
import { describe, expect, test } from 'bun:test';
import { mappedBytes, mappingsOf } from '../../agent/lib/proc-maps.ts';

const MAPS = [
  '00400000-00452000 r--p 00000000 fd:01 131090                             /usr/local/bin/edgelb',
  '00452000-01a00000 r-xp 00052000 fd:01 131090                             /usr/local/bin/edgelb',
  '01a00000-01a10000 rw-p 015ff000 fd:01 131090                             /usr/local/bin/edgelb',
  '01a10000-01a20000 rw-p 00000000 00:00 0 ',
  '7f0000000000-7f0000021000 r--p 00000000 fd:01 2000                       /usr/lib/x86_64-linux-gnu/libc.so.6',
  '7f1000000000-7f1000001000 r--p 00000000 fd:01 131091                     /usr/local/bin/edgelb (deleted)',
  '7f2000000000-7f2000001000 r--p 00000000 fd:01 131092                     /usr/local/bin/edgelb-old',
  'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
  '7f3000000000-7f3000000000 r--p 00000000 fd:01 131090                     /usr/local/bin/edgelb',
  'garbage',
  '',
].join('\n');

describe('mappingsOf', () => {
  test('the mappings of exactly that path, in order, with their permissions', () => {
    const ms = mappingsOf(MAPS, '/usr/local/bin/edgelb');
    expect(ms).toEqual([
      { start: 0x400000n, end: 0x452000n, perms: 'r--p' },
      { start: 0x452000n, end: 0x1a00000n, perms: 'r-xp' },
      { start: 0x1a00000n, end: 0x1a10000n, perms: 'rw-p' },
    ]);
    expect(mappedBytes(ms)).toBe(0x1a10000 - 0x400000);
  });

  test('a replaced binary ("(deleted)"), another file and anonymous maps are not it', () => {
    expect(mappingsOf(MAPS, '/usr/local/bin/edgelb (deleted)')).toHaveLength(1);
    expect(mappingsOf(MAPS, '/usr/local/bin/edgelb-old')).toHaveLength(1);
    expect(mappingsOf(MAPS, '/usr/bin/edgelb')).toEqual([]);
    expect(mappingsOf(MAPS, '')).toEqual([]);
    expect(mappedBytes([])).toBe(0);
  });
});
