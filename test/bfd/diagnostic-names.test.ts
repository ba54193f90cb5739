/** RFC 5880 §4.1 diagnostic codes: the constants are the RFC numbers, each with its name. */
import { expect, test } from 'bun:test';
import { Diagnostic, diagnosticName } from '../../agent/bfd/diagnostic.ts';

test.each([
  [Diagnostic.NoDiagnostic, 0, 'No Diagnostic'],
  [Diagnostic.ControlDetectionTimeExpired, 1, 'Control Detection Time Expired'],
  [Diagnostic.EchoFunctionFailed, 2, 'Echo Function Failed'],
  [Diagnostic.NeighborSignaledSessionDown, 3, 'Neighbor Signaled Session Down'],
  [Diagnostic.ForwardingPlaneReset, 4, 'Forwarding Plane Reset'],
  [Diagnostic.PathDown, 5, 'Path Down'],
  [Diagnostic.ConcatenatedPathDown, 6, 'Concatenated Path Down'],
  [Diagnostic.AdministrativelyDown, 7, 'Administratively Down'],
  [Diagnostic.ReverseConcatenatedPathDown, 8, 'Reverse Concatenated Path Down'],
  [9, 9, 'Reserved Diagnostic 9'],
  [31, 31, 'Reserved Diagnostic 31'],
])('%d is %d, %s', (constant, number, name) => {
  expect(constant).toBe(number);
  expect(diagnosticName(constant)).toBe(name);
});
