/** agent/control/protocol.ts: the control socket's request and response lines, every edge. */
import { describe, expect, test } from 'bun:test';
import {
  type ControlResponse,
  MAX_REQUEST_BYTES,
  parseRequest,
  parseResponse,
} from '../../agent/control/protocol.ts';

describe('parseRequest', () => {
  test('undrain and maintenance carry nothing else', () => {
    expect(parseRequest('{"command":"undrain","settleSeconds":5}')).toEqual({
      ok: true,
      value: { command: 'undrain' },
    });
    expect(parseRequest('{"command":"maintenance"}')).toEqual({
      ok: true,
      value: { command: 'maintenance' },
    });
  });

  test('drain: settleSeconds 0..60 and timeoutSeconds 0.1..600, both optional, bounds included', () => {
    expect(parseRequest('{"command":"drain"}')).toEqual({ ok: true, value: { command: 'drain' } });
    for (const settle of [0, 0.5, 60])
      expect(parseRequest(JSON.stringify({ command: 'drain', settleSeconds: settle }))).toEqual({
        ok: true,
        value: { command: 'drain', settleSeconds: settle },
      });
    for (const timeout of [0.1, 30, 600])
      expect(parseRequest(JSON.stringify({ command: 'drain', timeoutSeconds: timeout }))).toEqual({
        ok: true,
        value: { command: 'drain', timeoutSeconds: timeout },
      });
    expect(parseRequest('{"command":"drain","settleSeconds":1,"timeoutSeconds":2}')).toEqual({
      ok: true,
      value: { command: 'drain', settleSeconds: 1, timeoutSeconds: 2 },
    });
  });

  test('drain: out of range, not finite or not a number is refused with the field and its range', () => {
    const settle = { ok: false as const, message: 'settleSeconds must be a number 0..60' };
    const timeout = { ok: false as const, message: 'timeoutSeconds must be a number 0.1..600' };
    for (const v of [-0.001, 60.001, '5', null, true])
      expect(parseRequest(JSON.stringify({ command: 'drain', settleSeconds: v }))).toEqual(settle);
    expect(parseRequest('{"command":"drain","settleSeconds":1e400}')).toEqual(settle);
    for (const v of [0, 0.099, 600.001, '30', null])
      expect(parseRequest(JSON.stringify({ command: 'drain', timeoutSeconds: v }))).toEqual(timeout);
    expect(parseRequest('{"command":"drain","timeoutSeconds":-1e400}')).toEqual(timeout);
    // Both wrong: the first field named.
    expect(parseRequest('{"command":"drain","settleSeconds":-1,"timeoutSeconds":0}')).toEqual(settle);
  });

  test('not JSON, not an object, an unknown or missing command', () => {
    expect(parseRequest('nope')).toEqual({ ok: false, message: 'the request is not JSON' });
    for (const line of ['null', '[]', '["drain"]', '"drain"', '7'])
      expect(parseRequest(line)).toEqual({ ok: false, message: 'the request must be an object' });
    expect(parseRequest('{"command":"reboot"}')).toEqual({
      ok: false,
      message: 'unknown command "reboot" (drain, undrain, maintenance)',
    });
    expect(parseRequest('{}')).toEqual({
      ok: false,
      message: 'unknown command undefined (drain, undrain, maintenance)',
    });
  });

  test('a request line is bounded at 4 KiB', () => {
    expect(MAX_REQUEST_BYTES).toBe(4096);
  });
});

describe('parseResponse', () => {
  test('an object with a boolean ok and a string message', () => {
    const good: ControlResponse = { ok: true, message: 'drained', state: { drained: true, reasons: [] } };
    expect(parseResponse(JSON.stringify(good))).toEqual(good);
    const bad: ControlResponse = { ok: false, code: 'Busy', message: 'a drain is running' };
    expect(parseResponse(JSON.stringify(bad))).toEqual(bad);
  });

  test('anything else is not a response', () => {
    for (const line of [
      'garbage',
      'null',
      '3',
      '{"ok":"yes","message":"m"}',
      '{"ok":true}',
      '{"ok":true,"message":5}',
      '{"message":"m"}',
    ])
      expect(parseResponse(line)).toBeUndefined();
  });
});
