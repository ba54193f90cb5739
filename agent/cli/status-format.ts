/** PURE. Renders the /status document for people: leader, peers table, allocations, pools. */
import { type BfdDoc, isHealthy, type StatusDoc } from '../http/status-doc.ts';

export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '-';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function peerLabel(p: { address: string; port: number }): string {
  return p.port === 179 ? p.address : `${p.address}:${p.port}`;
}

/** An Established session's uptime: "<1s" in its first second (never "-"). */
export function formatUptime(seconds: number): string {
  return seconds < 1 ? '<1s' : formatDuration(seconds);
}

/** L2 mode: the owned IPs per interface, the heartbeat state, and the IPs owned but not answered. */
export function formatL2(l2: NonNullable<StatusDoc['l2']>): string[] {
  const out: string[] = [];
  const o = l2.ownership;
  const heartbeat = o
    ? `, heartbeat ${o.live ? 'live' : 'fenced: answering nothing'}, live nodes: ${o.liveNodes.join(' ') || 'none'}`
    : '';
  out.push(
    `L2:       ${l2.owned.length === 0 ? 'no IP owned by this node' : `${new Set(l2.owned.map((e) => e.ip)).size} IP(s) owned`}${heartbeat}`,
  );
  const byInterface = new Map<string, string[]>();
  for (const e of l2.owned) byInterface.set(e.interface, [...(byInterface.get(e.interface) ?? []), e.ip]);
  if (byInterface.size > 0)
    out.push(
      ...table(
        ['Interface', 'Owned IPs'],
        [...byInterface].sort(([a], [b]) => a.localeCompare(b)).map(([i, ips]) => [i, ips.join(' ')]),
      ),
    );
  if (o && o.pending.length > 0)
    out.push(`Waiting:  ${o.pending.join(' ')} (previous owner not yet released)`);
  if (o?.lastError) out.push(`Heartbeat error: ${o.lastError}`);
  for (const p of l2.problems) out.push(`Problem:  ${p}`);
  return out;
}

export function formatStatus(s: StatusDoc): string {
  const out: string[] = [];
  const health = isHealthy(s) ? 'healthy' : 'degraded';
  out.push(`Node:     ${s.node} (edgelb ${s.version}, ${health})`);
  out.push(`Source:   ${s.source.kind}, ${s.source.synced ? 'synced' : 'not synced'}`);
  out.push(
    `Leader:   ${s.leader.isLeader ? 'this node' : s.leader.holder ? s.leader.holder : 'none'}${s.leader.isLeader ? '' : ' (this node follows)'}`,
  );
  if (s.bgp.routerId) out.push(`RouterID: ${s.bgp.routerId}`);
  if (s.maintenance && s.maintenance.state !== 'active')
    out.push(
      `State:    ${s.maintenance.state}: announcing nothing (${s.maintenance.reasons.map((r) => r.reason).join(', ')})`,
      ...s.maintenance.reasons.map((r) => `          ${r.reason}: ${r.message}`),
    );
  for (const p of s.problems) out.push(`Problem:  ${p}`);
  out.push('');
  if (s.bgp.peers.length === 0) out.push('No BGP peers configured for this node.');
  else {
    // The BFD column appears only when some neighbor runs BFD (or waits for it).
    const withBfd = s.bgp.peers.some((p) => p.bfd || p.waitingForBfd);
    out.push(
      ...table(
        ['Peer', 'Local ASN', 'Peer ASN', 'State', 'Uptime', 'Advertised', ...(withBfd ? ['BFD'] : [])],
        s.bgp.peers.map((p) => [
          peerLabel(p),
          String(p.localASN),
          String(p.peerASN),
          p.waitingForBfd ? `${p.state} (waiting for BFD)` : p.state,
          p.state === 'Established' ? formatUptime(p.uptimeSeconds) : '-',
          String(p.advertised),
          ...(withBfd ? [bfdCell(p.bfd)] : []),
        ]),
      ),
    );
  }
  for (const p of s.bgp.peers)
    if (p.state !== 'Established' && p.lastError)
      out.push(`Down:     ${peerLabel(p)}: ${p.lastError.message} (since ${p.lastError.at})`);
  out.push('');
  if (s.allocations.length === 0 && s.pending.length === 0) out.push('No LoadBalancer Services.');
  else {
    out.push(
      ...table(
        ['Service', 'IPs', 'Pool'],
        [
          ...s.allocations.map((a) => [`${a.namespace}/${a.name}`, a.ips.join(','), a.pool]),
          ...s.pending.map((p) => [`${p.namespace}/${p.name}`, `<none: ${p.reason}>`, '']),
        ],
      ),
    );
  }
  if (s.pools.length > 0) {
    out.push('');
    out.push(
      ...table(
        ['Pool', 'Total', 'Used', 'Available', 'Conditions'],
        s.pools.map((p) => [
          p.name,
          p.total,
          p.used,
          p.available,
          p.conditions
            .filter((c) => c.status === 'True')
            .map((c) => c.type)
            .join(','),
        ]),
      ),
    );
  }
  if (s.bgp.advertised.length > 0) {
    out.push('');
    out.push(`Announced: ${s.bgp.advertised.join(' ')}`);
  }
  if (s.l2?.active) out.push('', ...formatL2(s.l2));
  return `${out.join('\n')}\n`;
}

/** "Up 300/300 ms x3, 2 flaps, last: Control Detection Time Expired"; "-" without BFD. */
export function bfdCell(b: BfdDoc | undefined): string {
  if (!b) return '-';
  const parts = [`${b.state} ${b.txIntervalMs}/${b.rxIntervalMs} ms x${b.multiplier}`];
  if (b.flaps > 0) parts.push(`${b.flaps} flap${b.flaps === 1 ? '' : 's'}`);
  if (b.lastDiagnostic && b.lastDiagnostic !== 'No Diagnostic') parts.push(`last: ${b.lastDiagnostic}`);
  return parts.join(', ');
}
