/** PURE. RFC 5880 §4.1 diagnostic codes and their names (logs name the diagnostic, never a bare number). */
export const Diagnostic = {
  NoDiagnostic: 0,
  ControlDetectionTimeExpired: 1,
  EchoFunctionFailed: 2,
  NeighborSignaledSessionDown: 3,
  ForwardingPlaneReset: 4,
  PathDown: 5,
  ConcatenatedPathDown: 6,
  AdministrativelyDown: 7,
  ReverseConcatenatedPathDown: 8,
} as const;
export type DiagnosticCode = number;

const NAMES: Record<number, string> = {
  0: 'No Diagnostic',
  1: 'Control Detection Time Expired',
  2: 'Echo Function Failed',
  3: 'Neighbor Signaled Session Down',
  4: 'Forwarding Plane Reset',
  5: 'Path Down',
  6: 'Concatenated Path Down',
  7: 'Administratively Down',
  8: 'Reverse Concatenated Path Down',
};

/** "Control Detection Time Expired"; codes 9–31 are reserved and named with their number. */
export function diagnosticName(code: DiagnosticCode): string {
  return NAMES[code] ?? `Reserved Diagnostic ${code}`;
}
