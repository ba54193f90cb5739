/**
 * The Responder on a real bridge (test/support/netns.ts): two nodes that accept traffic for the
 * LoadBalancer IPs the way kube-proxy does (the IPs on `lo`, arp_ignore=1) and a client namespace.
 * Independent witnesses: the client's kernel (ping, TCP, `ip neigh`), iputils-arping and ndisc6
 * (Debian packages iputils-arping, ndisc6), which print every answer, so two answering MACs show.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { createLan, type Lan } from '../support/netns.ts';
import { LineReader, type Proc, sleep, waitFor } from '../support/proc.ts';

const V4 = '192.168.2.200';
const V6 = 'fd00:2::200';
const PORT = 8080;
const MAIN = join(import.meta.dir, 'responder-main.ts');
const NODES = ['n1', 'n2'] as const;

interface Status {
  type: 'status';
  owned: { ip: string; interface: string; since: string }[];
  counters: { requestsAnswered: Record<4 | 6, number>; gratuitousSent: Record<4 | 6, number> };
  problems: { ip: string; message: string }[];
}

let lan: Lan;
const procs = new Map<string, { p: Proc; lines: LineReader }>();
const macs = new Map<string, string>();
const macOf = (n: string): string => {
  const m = macs.get(n);
  if (!m) throw new Error(`no MAC for ${n}`);
  return m;
};

async function command(node: string, cmd: object): Promise<Status> {
  const r = procs.get(node)!;
  const from = r.lines.all().length;
  (r.p.child.stdin as import('bun').FileSink).write(`${JSON.stringify(cmd)}\n`);
  (r.p.child.stdin as import('bun').FileSink).flush();
  const i = await r.lines.waitLine((l) => l.startsWith('{"type":"status"'), 5000, from);
  return JSON.parse(r.lines.all()[i]!) as Status;
}

function startResponder(node: string): void {
  const p = lan.spawn(
    node,
    [process.execPath, MAIN, JSON.stringify({ name: node, listenPort: PORT, gratuitousIntervalSeconds: 60 })],
    { name: `responder-${node}`, pipe: true, logPath: join(lan.dir, `${node}.log`) },
  );
  procs.set(node, { p, lines: new LineReader(p.child.stdout as ReadableStream<Uint8Array>) });
}

/** Every MAC that answers an ARP request for ip from the client (arping prints each reply). */
async function arpAnswers(ip: string): Promise<string[]> {
  const r = await lan.exec('client', ['arping', '-c', '2', '-w', '2', '-I', 'eth0', ip], { allowFail: true });
  return [...new Set([...r.stdout.matchAll(/\[([0-9a-f:]{17})\]/gi)].map((m) => m[1]!.toLowerCase()))].sort();
}

/** Every MAC that answers a multicast NS for ip from the client (ndisc6 -m prints each NA). */
async function ndAnswers(ip: string): Promise<string[]> {
  const r = await lan.exec(
    'client',
    ['ndisc6', '-m', '-q', '-r', '1', '-w', '1500', '-s', 'fd00:2::20', ip, 'eth0'],
    {
      allowFail: true,
    },
  );
  return [
    ...new Set(
      r.stdout
        .split('\n')
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    ),
  ].sort();
}

async function neighbour(ip: string): Promise<string | undefined> {
  const r = await lan.exec('client', ['ip', 'neigh', 'show', ip, 'dev', 'eth0'], { allowFail: true });
  return /lladdr ([0-9a-f:]{17})/.exec(r.stdout)?.[1];
}

/** The node name the TCP "Service" answers with, or undefined if no connection within 2 s. */
async function connect(ip: string): Promise<string | undefined> {
  const r = await lan.exec(
    'client',
    ['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${PORT}; cat <&3`],
    {
      allowFail: true,
      timeoutMs: 5000,
    },
  );
  return r.code === 0 ? r.stdout.trim() : undefined;
}

beforeAll(async () => {
  lan = await createLan({
    family: 'l2r',
    hosts: {
      n1: { v4: '192.168.2.10', v6: 'fd00:2::10' },
      n2: { v4: '192.168.2.11', v6: 'fd00:2::11' },
      client: { v4: '192.168.2.20', v6: 'fd00:2::20' },
    },
  });
  for (const n of NODES) {
    await lan.exec(n, [
      'sysctl',
      '-qw',
      'net.ipv4.conf.all.arp_ignore=1',
      'net.ipv4.conf.all.arp_announce=2',
    ]);
    await lan.exec(n, ['ip', 'addr', 'add', `${V4}/32`, 'dev', 'lo']);
    await lan.exec(n, ['ip', '-6', 'addr', 'add', `${V6}/128`, 'dev', 'lo']);
    macs.set(n, (await lan.exec(n, ['cat', '/sys/class/net/eth0/address'])).stdout.trim());
    startResponder(n);
  }
  for (const n of NODES) expect((await command(n, { cmd: 'status' })).owned).toEqual([]);
}, 60_000);

afterAll(async () => {
  await lan?.destroy();
});

describe('Responder in network namespaces', () => {
  test('with no owner nobody answers (the kernel does not answer for IPs on lo with arp_ignore=1)', async () => {
    expect(await arpAnswers(V4)).toEqual([]);
    expect(await ndAnswers(V6)).toEqual([]);
  }, 20_000);

  test('an IP on no local subnet is a problem naming it, and is not answered', async () => {
    const s = await command('n1', { cmd: 'own', owned: { '172.16.0.5': 'auto' } });
    expect(s.owned).toEqual([]);
    expect(s.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('172.16.0.5 is on no local subnet (eth0 192.168.2.0/24'),
    ]);
  });

  test('the owner answers ARP and NDP (multicast NS to the solicited-node group, Cilium #44311) with its MAC; exactly one MAC answers; the client connects', async () => {
    const s = await command('n1', { cmd: 'own', owned: { [V4]: 'auto', [V6]: 'auto' } });
    expect(s.problems).toEqual([]);
    expect(s.owned.map((o) => `${o.ip}%${o.interface}`)).toEqual([`${V4}%eth0`, `${V6}%eth0`]);
    expect(await arpAnswers(V4)).toEqual([macOf('n1')]);
    expect(await ndAnswers(V6)).toEqual([macOf('n1')]);
    // The client's own kernel resolves (multicast NS to the solicited-node group) and connects.
    expect(await connect(V4)).toBe('n1');
    expect(await connect(V6)).toBe('n1');
    expect(await neighbour(V4)).toBe(macOf('n1'));
    expect(await neighbour(V6)).toBe(macOf('n1'));
    const after = await command('n1', { cmd: 'status' });
    expect(after.counters.requestsAnswered[4]).toBeGreaterThan(0);
    expect(after.counters.requestsAnswered[6]).toBeGreaterThan(0);
    expect(after.counters.gratuitousSent).toEqual({ 4: 3, 6: 3 });
    // The solicited-node group is joined on eth0 (the kernel itself only joins it on lo).
    const maddr = await lan.exec('n1', ['ip', '-6', 'maddr', 'show', 'dev', 'eth0']);
    expect(maddr.stdout).toContain('ff02::1:ff00:200');
  }, 30_000);

  test("moving the IPs to n2: the client's existing neighbour entries follow the gratuitous ARP / unsolicited NA, no flush", async () => {
    // Linux ignores an ARP update within locktime (1 s) of the last one; the burst's later rounds cover it anyway.
    await sleep(1100);
    await command('n1', { cmd: 'own', owned: {} });
    await command('n2', { cmd: 'own', owned: { [V4]: 'eth0', [V6]: 'eth0' } });
    const n2 = macOf('n2');
    await waitFor('client v4 neighbour entry on n2', async () => (await neighbour(V4)) === n2, {
      timeoutMs: 3000,
    });
    await waitFor('client v6 neighbour entry on n2', async () => (await neighbour(V6)) === n2, {
      timeoutMs: 3000,
    });
    expect(await connect(V4)).toBe('n2');
    expect(await connect(V6)).toBe('n2');
    expect(await arpAnswers(V4)).toEqual([n2]);
    expect(await ndAnswers(V6)).toEqual([n2]);
    // n1 left the group when it lost the IP.
    expect((await lan.exec('n1', ['ip', '-6', 'maddr', 'show', 'dev', 'eth0'])).stdout).not.toContain(
      'ff02::1:ff00:200',
    );
  }, 30_000);

  test('SIGKILL leaves nothing in the kernel: no group on eth0, no address, no proxy entry, no answers', async () => {
    const before = (await lan.exec('n2', ['ip', 'addr', 'show'])).stdout;
    await procs.get('n2')!.p.kill();
    const maddr = await lan.exec('n2', ['ip', '-6', 'maddr', 'show', 'dev', 'eth0']);
    expect(maddr.stdout).not.toContain('ff02::1:ff00:200');
    expect((await lan.exec('n2', ['ip', 'addr', 'show'])).stdout).toBe(before);
    expect((await lan.exec('n2', ['ip', 'neigh', 'show', 'proxy'])).stdout.trim()).toBe('');
    expect((await lan.exec('n2', ['ip', '-6', 'neigh', 'show', 'proxy'])).stdout.trim()).toBe('');
    expect(await arpAnswers(V4)).toEqual([]);
    expect(await ndAnswers(V6)).toEqual([]);
  }, 30_000);

  test('SIGTERM: the process stops answering and exits 0', async () => {
    await command('n1', { cmd: 'own', owned: { [V4]: 'eth0', [V6]: 'eth0' } });
    expect(await arpAnswers(V4)).toEqual([macOf('n1')]);
    const p = procs.get('n1')!.p;
    p.signal('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(await arpAnswers(V4)).toEqual([]);
    expect(await ndAnswers(V6)).toEqual([]);
  }, 30_000);
});
