/** Files mode reads BFDProfile and L2AnnouncementPolicy manifests: validated, defaults applied, problems named. */
import { describe, expect, test } from 'bun:test';
import { parseManifestFile } from '../../agent/source/files-manifests.ts';

const GOOD = `apiVersion: edgelb.io/v1alpha1
kind: BFDProfile
metadata: {name: fast}
spec: {receiveIntervalMilliseconds: 100, transmitIntervalMilliseconds: 100}
---
apiVersion: edgelb.io/v1alpha1
kind: L2AnnouncementPolicy
metadata: {name: lan}
spec:
  pools: [lan]
  interfaces: ['^eth[0-9]+$']
---
apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata: {name: rack0}
spec:
  virtualRouters:
  - localASN: 65001
    neighbors: [{peerAddress: 192.168.2.1, peerASN: 65000, bfdProfile: fast}]
`;

describe('files mode: BFD and L2 resources', () => {
  test('parsed with their defaults', () => {
    const r = parseManifestFile('bfd.yaml', GOOD);
    expect(r.problems).toEqual([]);
    expect(r.ignored).toEqual([]);
    expect(r.objects.map((o) => o.id)).toEqual([
      'BFDProfile fast',
      'L2AnnouncementPolicy lan',
      'BGPPeeringPolicy rack0',
    ]);
    const [bfd, l2, policy] = r.objects.map((o) => o.object);
    expect(bfd?.kind === 'BFDProfile' && bfd.value.spec).toEqual({
      receiveIntervalMilliseconds: 100,
      transmitIntervalMilliseconds: 100,
      detectMultiplier: 3,
      passiveMode: false,
      minimumTtl: 254,
    });
    expect(l2?.kind === 'L2AnnouncementPolicy' && l2.value.spec).toEqual({
      pools: ['lan'],
      interfaces: ['^eth[0-9]+$'],
    });
    expect(
      policy?.kind === 'BGPPeeringPolicy' && policy.value.spec.virtualRouters[0]!.neighbors[0]!.bfdProfile,
    ).toBe('fast');
  });

  test('bad values are named with their field and bounds', () => {
    const r = parseManifestFile(
      'bad.yaml',
      `kind: BFDProfile
metadata: {name: slow}
spec: {receiveIntervalMilliseconds: 5, detectMultiplier: 0, minimumTtl: 255, pasiveMode: true}
---
kind: L2AnnouncementPolicy
metadata: {name: lan}
spec: {interfaces: ['eth[0-9'], pools: [LAN]}
`,
    );
    expect(r.problems).toEqual([
      'bad.yaml: document 1 (BFDProfile slow): spec.pasiveMode: unknown field (did you mean "passiveMode"?)',
      'bad.yaml: document 1 (BFDProfile slow): spec.receiveIntervalMilliseconds: must be an integer 10..60000, got 5',
      'bad.yaml: document 1 (BFDProfile slow): spec.detectMultiplier: must be an integer 1..255, got 0',
      'bad.yaml: document 1 (BFDProfile slow): spec.minimumTtl: must be an integer 1..254, got 255',
      'bad.yaml: document 2 (L2AnnouncementPolicy lan): spec.pools[0]: must be a lowercase RFC 1123 name (a-z, 0-9, "-", "."), got "LAN"',
      'bad.yaml: document 2 (L2AnnouncementPolicy lan): spec.interfaces[0]: must be a regular expression: missing terminating ] for character class',
    ]);
    expect(r.objects).toEqual([]);
  });
});
