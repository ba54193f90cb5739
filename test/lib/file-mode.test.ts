// Permission checks of the files edgelb reads (config, kubeconfig): who may write or read them.
import { expect, test } from 'bun:test';
import { octalMode, readableWarning, writableProblem } from '../../agent/lib/file-mode.ts';

test('a file only its owner can write is fine; group or others writing it is refused with the chmod', () => {
  expect(writableProblem('/etc/edgelb/config.yaml', 0o100644)).toBeUndefined();
  expect(writableProblem('/etc/edgelb/config.yaml', 0o100600)).toBeUndefined();
  expect(writableProblem('/etc/edgelb/config.yaml', 0o100664)).toBe(
    'group can write it (mode 0664); refusing to use it: run `chmod go-w /etc/edgelb/config.yaml`',
  );
  expect(writableProblem('/k', 0o100646)).toStartWith('others can write it (mode 0646)');
  expect(writableProblem('/k', 0o100666)).toStartWith('group and others can write it (mode 0666)');
});

test('a credential others can read gets a warning; group-readable is fine (root:edgelb 0640)', () => {
  expect(readableWarning('/etc/edgelb/kubeconfig', 0o100640)).toBeUndefined();
  expect(readableWarning('/etc/edgelb/kubeconfig', 0o100644)).toBe(
    'others can read it (mode 0644) and it holds a credential: run `chmod o-r /etc/edgelb/kubeconfig`',
  );
});

test('octalMode shows the permission bits only', () => {
  expect(octalMode(0o100640)).toBe('0640');
  expect(octalMode(0o40755)).toBe('0755');
});

test('execute and read bits never count as writing; exactly the write bits name who writes', () => {
  expect(writableProblem('/k', 0o100755)).toBeUndefined();
  expect(writableProblem('/k', 0o100701)).toBeUndefined();
  expect(writableProblem('/k', 0o100603)).toStartWith('others can write it (mode 0603)');
  expect(writableProblem('/k', 0o100621)).toStartWith('group can write it (mode 0621)');
  expect(writableProblem('/k', 0o100631)).toStartWith('group can write it (mode 0631)');
});

test('only the others-read bit warns; three octal digits always', () => {
  expect(readableWarning('/k', 0o100641)).toBeUndefined();
  expect(readableWarning('/k', 0o100601)).toBeUndefined();
  expect(octalMode(0o007)).toBe('0007');
  expect(octalMode(0o000)).toBe('0000');
  expect(octalMode(0o070)).toBe('0070');
});
