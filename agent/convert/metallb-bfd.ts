/**
 * PURE. MetalLB BFDProfile (metallb.io/v1beta1) -> edgelb BFDProfile. MetalLB's intervals
 * are already milliseconds: each field keeps its name with a Milliseconds suffix. Echo
 * mode has no edgelb counterpart; dropping it changes how fast a dead link is seen, not
 * where traffic goes, so it is a warning.
 */
import {
  BFD_MAX_DETECT_MULTIPLIER,
  BFD_MAX_INTERVAL_MS,
  BFD_MAX_TTL,
  BFD_MIN_DETECT_MULTIPLIER,
  BFD_MIN_INTERVAL_MS,
  BFD_MIN_TTL,
  type BFDProfile,
} from '../api/bfd-profile.ts';
import { API_VERSION } from '../api/v1alpha1.ts';
import type { Source } from './metallb.ts';
import { at, intIn, isMap, present } from './types.ts';

const INTS = [
  ['receiveInterval', 'receiveIntervalMilliseconds', BFD_MIN_INTERVAL_MS, BFD_MAX_INTERVAL_MS],
  ['transmitInterval', 'transmitIntervalMilliseconds', BFD_MIN_INTERVAL_MS, BFD_MAX_INTERVAL_MS],
  ['detectMultiplier', 'detectMultiplier', BFD_MIN_DETECT_MULTIPLIER, BFD_MAX_DETECT_MULTIPLIER],
  ['minimumTtl', 'minimumTtl', BFD_MIN_TTL, BFD_MAX_TTL],
] as const;

const KNOWN = [
  'receiveInterval',
  'transmitInterval',
  'detectMultiplier',
  'minimumTtl',
  'passiveMode',
  'echoMode',
  'echoInterval',
];

export function convertMetalLBBFDProfile(s: Source): BFDProfile | undefined {
  const { doc, name, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const out: BFDProfile = { apiVersion: API_VERSION, kind: 'BFDProfile', metadata: { name }, spec: {} };
  for (const [from, to, min, max] of INTS) {
    if (!present(spec[from])) continue;
    const n = intIn(spec[from], min, max);
    if (n === undefined)
      notes.error(at('spec', from), `must be an integer ${min}..${max}, got ${JSON.stringify(spec[from])}`);
    else out.spec[to] = n;
  }
  if (present(spec.passiveMode)) {
    if (typeof spec.passiveMode === 'boolean') out.spec.passiveMode = spec.passiveMode;
    else notes.error('spec.passiveMode', `must be true or false, got ${JSON.stringify(spec.passiveMode)}`);
  }
  // Echo packets only run when echoMode is on: an echoInterval alone changes nothing.
  if (spec.echoMode === true) {
    notes.warn(
      'spec.echoMode',
      `edgelb has no BFD echo mode; control packets alone detect a dead link (which does not change where traffic goes); echoMode${present(spec.echoInterval) ? ' and echoInterval' : ''} dropped`,
    );
  }
  for (const key of Object.keys(spec))
    if (!KNOWN.includes(key)) notes.warn(at('spec', key), 'is not a field edgelb knows; dropped');
  return notes.errorCount() === errors ? out : undefined;
}
