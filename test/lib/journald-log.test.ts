// Under journald every log line, JSON or text, starts with its syslog priority so
// `journalctl -p warning` finds warnings; outside journald nothing is prefixed.
import { describe, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, stderrIsJournal } from '../../agent/lib/log.ts';
import { runCli } from '../support/cli.ts';

const now = () => new Date('2026-12-06T12:00:00Z');

describe('journald priority prefixes', () => {
  for (const format of ['json', 'text'] as const)
    test(`${format}: <7> debug, <6> info, <4> warn, <3> error`, () => {
      const lines: string[] = [];
      const log = createLogger({ level: 'debug', format, journald: true, write: (l) => lines.push(l), now });
      log.debug('d');
      log.info('i');
      log.warn('w', { peer: '192.168.2.1' });
      log.child({ c: 1 }).error('e');
      expect(lines.map((l) => l.slice(0, 3))).toEqual(['<7>', '<6>', '<4>', '<3>']);
      if (format === 'json')
        expect(JSON.parse(lines[2]!.slice(3))).toMatchObject({ level: 'warn', msg: 'w' });
      else expect(lines[2]).toBe('<4>2026-12-06T12:00:00.000Z WARN  w peer=192.168.2.1');
    });

  test('no prefix outside journald', () => {
    const lines: string[] = [];
    createLogger({ level: 'info', format: 'text', write: (l) => lines.push(l), now }).warn('w');
    expect(lines).toEqual(['2026-12-06T12:00:00.000Z WARN  w']);
  });

  test('JOURNAL_STREAM decides', () => {
    expect(stderrIsJournal({ JOURNAL_STREAM: '8:12345' })).toBe(true);
    expect(stderrIsJournal({})).toBe(false);
  });

  test("the agent's invalid-config lines get <3> under journald", () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-journal-'));
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'htpp: {}\n', { mode: 0o600 });
    const r = runCli(['run', '--config', cfg], { env: { JOURNAL_STREAM: '8:1' } });
    expect(r.code).toBe(78);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toStartWith('<3>');
  });
});
