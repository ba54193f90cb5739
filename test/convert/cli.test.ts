/**
 * The `edgelb convert` command: file and stdin input, YAML out that kubectl's YAML 1.1
 * reader takes as intended, warnings on stderr, errors with exit 1 and nothing printed.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  validateBfdProfile,
  validateL2Policy,
  validatePolicy,
  validatePool,
} from '../../agent/api/validate/resources.ts';
import { type ConvertIO, runConvert } from '../../agent/cli/convert.ts';
import { convertManifests } from '../../agent/convert/convert.ts';
import { UserError } from '../../agent/lib/errors.ts';

const ROOT = join(import.meta.dir, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'convert');
const BUN = join(ROOT, 'node_modules', '.bin', 'bun');

function fakeIO(files: Record<string, string>, stdin = '') {
  const out = { stdout: '', stderr: '' };
  const io: ConvertIO = {
    readFile(path) {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return text;
    },
    readStdin: async () => stdin,
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
  };
  return { io, out };
}

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** Reads YAML the way kubectl (go-yaml, YAML 1.1) does. */
const readAsKubectl = (text: string) =>
  parseAllDocuments(text, { version: '1.1' })
    .map((d) => d.toJS())
    .filter((d) => d !== null);

describe('edgelb convert', () => {
  test('-f FILE prints every object as YAML that reads back to the same objects', async () => {
    for (const name of [
      'blog-cilium.yaml',
      'cilium-v2-pools.yaml',
      'cilium-bgpv2.yaml',
      'metallb-bgp.yaml',
      'metallb-bfd.yaml',
      'metallb-l2.yaml',
      'cilium-l2.yaml',
    ]) {
      const { io, out } = fakeIO({ [name]: fixture(name) });
      expect(await runConvert(['-f', name], io)).toBe(0);
      const expected = convertManifests(parseAllDocuments(fixture(name)).map((d) => d.toJS())).objects;
      const printed = readAsKubectl(out.stdout);
      expect(printed).toEqual(JSON.parse(JSON.stringify(expected)));
      for (const o of printed) {
        const validate = {
          LoadBalancerIPPool: validatePool,
          BGPPeeringPolicy: validatePolicy,
          BFDProfile: validateBfdProfile,
          L2AnnouncementPolicy: validateL2Policy,
        }[o.kind as string];
        const v = validate?.(o) ?? { ok: false, problems: [`unexpected kind ${o.kind}`] };
        expect(v.ok ? [] : v.problems).toEqual([]);
      }
      // No YAML anchors/aliases: each neighbor is written out in full.
      expect(out.stdout).not.toMatch(/[&*]a\d/);
    }
  });

  test('the blog from stdin: peering "yes" stays a string for kubectl, no warnings', async () => {
    const { io, out } = fakeIO({}, fixture('blog-cilium.yaml'));
    expect(await runConvert([], io)).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('peering: "yes"');
    const [, policy] = readAsKubectl(out.stdout);
    expect(policy.spec.nodeSelector.matchLabels.peering).toBe('yes');
  });

  test('warnings go to stderr, one line each, naming object and field', async () => {
    const { io, out } = fakeIO({ m: fixture('metallb-bgp.yaml') });
    expect(await runConvert(['--filename', 'm'], io)).toBe(0);
    const lines = out.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines).toContain(
      'edgelb convert: warning: IPAddressPool/lab spec.serviceAllocation.priority: edgelb has no pool priority; dropped',
    );
    // BFD is carried over now: no line names it.
    expect(out.stderr).not.toContain('BFD');
  });

  test('an object that cannot be converted: errors on stderr, nothing on stdout, exit 1', async () => {
    const bad = `${fixture('blog-cilium.yaml')}\n---\napiVersion: cilium.io/v2\nkind: CiliumLoadBalancerIPPool\nmetadata: {name: broken}\nspec:\n  blocks: [{cidr: 300.1.1.0/24}]\n`;
    const { io, out } = fakeIO({ bad });
    expect(await runConvert(['-f', 'bad'], io)).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      'edgelb convert: error: CiliumLoadBalancerIPPool/broken spec.blocks[0].cidr: "300.1.1.0/24" is not a valid CIDR: "300.1.1.0" is not a valid IPv4 address\n' +
        'edgelb convert: 1 object(s) could not be converted; nothing printed.\n',
    );
  });

  test('an L2-only MetalLB input prints policies that announce, exit 0', async () => {
    const { io, out } = fakeIO({}, fixture('metallb-l2.yaml'));
    expect(await runConvert([], io)).toBe(0);
    expect(out.stderr).toBe('');
    expect(readAsKubectl(out.stdout).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'LoadBalancerIPPool/lan',
      'LoadBalancerIPPool/dmz',
      'L2AnnouncementPolicy/lan-only',
      'L2AnnouncementPolicy/dmz-1',
      'L2AnnouncementPolicy/dmz-2',
      'L2AnnouncementPolicy/everything',
    ]);
  });

  test('a loss that changes what is announced: exit 1 and nothing printed; --allow-lossy prints with warnings', async () => {
    for (const [name, lossy, kinds] of [
      [
        'metallb-l2-lossy.yaml',
        2,
        ['LoadBalancerIPPool', 'LoadBalancerIPPool', 'LoadBalancerIPPool', 'L2AnnouncementPolicy'],
      ],
      ['cilium-l2-lossy.yaml', 1, ['LoadBalancerIPPool', 'L2AnnouncementPolicy']],
    ] as const) {
      const strict = fakeIO({ [name]: fixture(name) });
      expect(await runConvert(['-f', name], strict.io)).toBe(1);
      expect(strict.out.stdout).toBe('');
      const errors = strict.out.stderr.split('\n').filter((l) => l.startsWith('edgelb convert: error: '));
      expect(errors).toHaveLength(lossy);
      for (const e of errors) expect(e).toEndWith('; --allow-lossy converts it anyway');

      const allowed = fakeIO({ [name]: fixture(name) });
      expect(await runConvert(['-f', name, '--allow-lossy'], allowed.io)).toBe(0);
      expect(allowed.out.stderr).not.toContain('error');
      expect(allowed.out.stderr).toContain('(converted anyway: --allow-lossy)');
      expect(readAsKubectl(allowed.out.stdout).map((o) => o.kind)).toEqual([...kinds]);
    }
  });

  test('--allow-lossy does not excuse an object that cannot be converted', async () => {
    const bad =
      'apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: b}\nspec: {detectMultiplier: 0}\n';
    const { io, out } = fakeIO({ bad });
    expect(await runConvert(['-f', 'bad', '--allow-lossy'], io)).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('BFDProfile/b spec.detectMultiplier: must be an integer 1..255, got 0');
  });

  test('input with nothing to convert is exit 1 with a sentence', async () => {
    const { io, out } = fakeIO({ svc: 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\n' });
    expect(await runConvert(['-f', 'svc'], io)).toBe(1);
    expect(out.stderr).toEndWith('edgelb convert: svc holds no Cilium or MetalLB object to convert.\n');
  });

  test('bad YAML names the file and line; a missing file names the path; a bad flag is usage (2)', async () => {
    const { io } = fakeIO({ broken: 'apiVersion: v1\nkind: [\n' });
    await expect(runConvert(['-f', 'broken'], io)).rejects.toThrow(/^broken:\d+: not valid YAML: /);
    await expect(runConvert(['-f', 'nope.yaml'], io)).rejects.toThrow('cannot read nope.yaml: ENOENT');
    const err = await runConvert(['--frobnicate'], io).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
  });

  test('runs as a process: stdin "-" in, YAML out, exit 0', async () => {
    const child = Bun.spawn([BUN, join(ROOT, 'agent', 'cli', 'convert.ts'), '-f', '-'], {
      stdin: new TextEncoder().encode(fixture('blog-cilium.yaml')),
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    clearTimeout(timer);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readAsKubectl(stdout).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'LoadBalancerIPPool/nginx-ingress',
      'BGPPeeringPolicy/opensense',
    ]);
  });
});
