/** agent/lib/file-mode.ts: only the write and read bits count; execute bits never do. */
import { expect, test } from 'bun:test';
import { octalMode, readableWarning, writableProblem } from '../../agent/lib/file-mode.ts';

const refusal = (who: string, mode: string) =>
  `${who} can write it (mode ${mode}); refusing to use it: run \`chmod go-w /etc/edgelb/config.yaml\``;

test.each([
  [0o755, undefined],
  [0o711, undefined],
  [0o603, refusal('others', '0603')],
  [0o621, refusal('group', '0621')],
  [0o622, refusal('group and others', '0622')],
])('writableProblem %o', (mode, want) => {
  expect(writableProblem('/etc/edgelb/config.yaml', mode)).toBe(want);
});

test('readableWarning: the others-read bit only', () => {
  expect(readableWarning('kc', 0o601)).toBeUndefined();
  expect(readableWarning('kc', 0o640)).toBeUndefined();
  expect(readableWarning('kc', 0o604)).toBe(
    'others can read it (mode 0604) and it holds a credential: run `chmod o-r kc`',
  );
});

test('octalMode: always four digits', () => {
  expect([0o7, 0o0, 0o644, 0o100644, 0o4755].map(octalMode)).toEqual([
    '0007',
    '0000',
    '0644',
    '0644',
    '0755',
  ]);
});
