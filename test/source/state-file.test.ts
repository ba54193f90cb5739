import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AllocationState,
  emptyState,
  parseState,
  readStateFile,
  writeStateFile,
} from '../../agent/source/state-file.ts';

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);

function sample(ip: string): AllocationState {
  const s = emptyState();
  s.services['ingress-nginx/ingress-nginx'] = {
    ips: [ip],
    condition: { type: 'edgelb.io/IPAMRequestSatisfied', status: 'True', reason: 'Allocated', message: 'ok' },
    lastTransitionTime: '2025-01-01T00:00:00Z',
  };
  s.pools.blog = {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ok',
        message: '',
        lastTransitionTime: '2025-01-01T00:00:00Z',
      },
    ],
    ipsTotal: '2',
    ipsUsed: '1',
    ipsAvailable: '1',
  };
  return s;
}

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'edgelb-state-'));
  path = join(dir, 'sub', 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('state file', () => {
  test('missing file: empty state, no problem', () => {
    expect(readStateFile(path, NOW)).toEqual({ state: emptyState(), from: 'empty', problems: [] });
  });

  test('round trip, mode 0600, no temp file left behind, previous version kept as .bak', () => {
    writeStateFile(path, sample('172.198.1.1'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readStateFile(path, NOW)).toEqual({ state: sample('172.198.1.1'), from: 'file', problems: [] });
    writeStateFile(path, sample('172.198.1.2'));
    expect(readdirSync(join(dir, 'sub')).sort()).toEqual(['state.json', 'state.json.bak']);
    expect(statSync(`${path}.bak`).mode & 0o777).toBe(0o600);
    expect(parseState(readFileSync(`${path}.bak`, 'utf8'))).toEqual({
      ok: true,
      state: sample('172.198.1.1'),
    });
    expect(readStateFile(path, NOW).state).toEqual(sample('172.198.1.2'));
  });

  test('corrupt file is kept aside, reported by name, and the .bak is used', () => {
    writeStateFile(path, sample('172.198.1.1'));
    writeStateFile(path, sample('172.198.1.2'));
    writeFileSync(path, '{"version":1,"services":{"a/b":{"ips":[1]}');
    const r = readStateFile(path, NOW);
    expect(r.from).toBe('backup');
    expect(r.state).toEqual(sample('172.198.1.1'));
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toStartWith(`state file ${path} is corrupt (not valid JSON`);
    expect(r.problems[0]).toEndWith(
      'kept it as state.json.corrupt-20250102T030405Z; restored the previous state from state.json.bak',
    );
    expect(readFileSync(join(dir, 'sub', 'state.json.corrupt-20250102T030405Z'), 'utf8')).toStartWith(
      '{"version":1',
    );
    // The next write does not overwrite the good .bak with anything corrupt.
    writeStateFile(path, r.state);
    expect(readStateFile(path, NOW)).toEqual({ state: sample('172.198.1.1'), from: 'file', problems: [] });
  });

  test('wrong shape counts as corrupt; no backup: empty, still reported, file kept', () => {
    writeStateFile(path, sample('172.198.1.1'));
    rmSync(`${path}.bak`, { force: true });
    writeFileSync(path, JSON.stringify({ version: 1, services: { 'a/b': { ips: ['1.2.3.4'] } } }));
    const r = readStateFile(path, NOW);
    expect(r).toEqual({
      state: emptyState(),
      from: 'empty',
      problems: [
        `state file ${path} is corrupt (services["a/b"] is malformed); kept it as state.json.corrupt-20250102T030405Z; no backup, starting with no allocations`,
      ],
    });
    // A second corrupt file at the same instant does not overwrite the first one kept aside.
    writeFileSync(path, 'garbage');
    readStateFile(path, NOW);
    expect(readdirSync(join(dir, 'sub')).sort()).toEqual([
      'state.json.corrupt-20250102T030405Z',
      'state.json.corrupt-20250102T030405Z-1',
    ]);
  });

  test('missing file with a good .bak: restored and reported', () => {
    writeStateFile(path, sample('172.198.1.1'));
    writeStateFile(path, sample('172.198.1.2'));
    rmSync(path);
    const r = readStateFile(path, NOW);
    expect(r.state).toEqual(sample('172.198.1.1'));
    expect(r.problems).toEqual([
      `state file ${path} is missing; restored the previous state from state.json.bak`,
    ]);
  });

  test('a failed write leaves the previous file complete', () => {
    writeStateFile(path, sample('172.198.1.1'));
    mkdirSync(`${path}.tmp-${process.pid}`); // the temp file cannot be created
    expect(() => writeStateFile(path, sample('172.198.1.2'))).toThrow();
    expect(readStateFile(path, NOW).state).toEqual(sample('172.198.1.1'));
  });

  test('parseState rejects other versions', () => {
    expect(parseState('{"version":2}')).toEqual({ ok: false, error: 'unsupported version 2' });
    expect(parseState('[]')).toEqual({ ok: false, error: 'not a JSON object' });
  });
});
