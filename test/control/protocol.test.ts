/** agent/control/protocol.ts: request and response lines of the control socket, exactly. */
import { expect, test } from 'bun:test';
import { parseRequest, parseResponse } from '../../agent/control/protocol.ts';

test.each([
  ['{"command":"undrain"}', { ok: true, value: { command: 'undrain' } }],
  ['{"command":"maintenance"}', { ok: true, value: { command: 'maintenance' } }],
  ['{"command":"drain"}', { ok: true, value: { command: 'drain' } }],
  [
    '{"command":"drain","settleSeconds":0,"timeoutSeconds":0.1}',
    { ok: true, value: { command: 'drain', settleSeconds: 0, timeoutSeconds: 0.1 } },
  ],
  [
    '{"command":"drain","settleSeconds":60,"timeoutSeconds":600}',
    { ok: true, value: { command: 'drain', settleSeconds: 60, timeoutSeconds: 600 } },
  ],
  [
    '{"command":"drain","settleSeconds":-0.5}',
    { ok: false, message: 'settleSeconds must be a number 0..60' },
  ],
  [
    '{"command":"drain","settleSeconds":60.5}',
    { ok: false, message: 'settleSeconds must be a number 0..60' },
  ],
  ['{"command":"drain","settleSeconds":"5"}', { ok: false, message: 'settleSeconds must be a number 0..60' }],
  [
    '{"command":"drain","settleSeconds":null}',
    { ok: false, message: 'settleSeconds must be a number 0..60' },
  ],
  [
    '{"command":"drain","timeoutSeconds":0.09}',
    { ok: false, message: 'timeoutSeconds must be a number 0.1..600' },
  ],
  [
    '{"command":"drain","timeoutSeconds":600.5}',
    { ok: false, message: 'timeoutSeconds must be a number 0.1..600' },
  ],
  [
    '{"command":"drain","timeoutSeconds":1e999}',
    { ok: false, message: 'timeoutSeconds must be a number 0.1..600' },
  ],
  ['{"command":"reboot"}', { ok: false, message: 'unknown command "reboot" (drain, undrain, maintenance)' }],
  ['{}', { ok: false, message: 'unknown command undefined (drain, undrain, maintenance)' }],
  ['[1]', { ok: false, message: 'the request must be an object' }],
  ['null', { ok: false, message: 'the request must be an object' }],
  ['"drain"', { ok: false, message: 'the request must be an object' }],
  ['drain', { ok: false, message: 'the request is not JSON' }],
])('request %s', (line, want) => {
  expect(parseRequest(line)).toStrictEqual(want as ReturnType<typeof parseRequest>);
});

test('responses: an object with a boolean ok and a message, else undefined', () => {
  const state = { drained: true, reasons: [{ reason: 'NodeDrained', message: 'drained' }] };
  expect(parseResponse(JSON.stringify({ ok: true, message: 'drained', state }))).toStrictEqual({
    ok: true,
    message: 'drained',
    state,
  });
  expect(parseResponse('{"ok":false,"code":"Busy","message":"busy"}')).toStrictEqual({
    ok: false,
    code: 'Busy',
    message: 'busy',
  });
  for (const bad of [
    '{"ok":"true","message":"m"}',
    '{"ok":true}',
    '{"ok":true,"message":1}',
    'null',
    '5',
    'x',
    '',
  ])
    expect(parseResponse(bad)).toBeUndefined();
});
