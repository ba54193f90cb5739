/**
 * The set of system calls a unit's SystemCallFilter= lines allow, expanded with
 * `systemd-analyze syscall-filter`, and the set a strace log shows a process used.
 */

/** Parses `systemd-analyze syscall-filter` output into group -> members (names or @groups). */
export function parseFilterGroups(text: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const head = /^(@[a-z0-9-]+)\s*$/.exec(line);
    if (head?.[1]) {
      current = [];
      groups.set(head[1], current);
      continue;
    }
    const item = /^\s+([@a-z0-9_-]+)\s*$/.exec(line);
    if (item?.[1] && current) current.push(item[1]);
  }
  return groups;
}

export function expand(
  names: string[],
  groups: Map<string, string[]>,
  seen = new Set<string>(),
): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    if (!name.startsWith('@')) {
      out.add(name);
      continue;
    }
    if (seen.has(name)) continue;
    seen.add(name);
    const members = groups.get(name);
    if (!members) throw new Error(`unknown system call group ${name}`);
    for (const m of expand(members, groups, seen)) out.add(m);
  }
  return out;
}

/** Applies the unit's SystemCallFilter= lines in order (first without ~ is the allow list). */
export function allowedSyscalls(unit: string, groupsText?: string): Set<string> {
  const text =
    groupsText ?? Bun.spawnSync(['systemd-analyze', 'syscall-filter'], { stdout: 'pipe' }).stdout.toString();
  const groups = parseFilterGroups(text);
  let allowed: Set<string> | undefined;
  for (const m of unit.matchAll(/^SystemCallFilter=(.*)$/gm)) {
    const value = (m[1] ?? '').trim();
    const deny = value.startsWith('~');
    const names = (deny ? value.slice(1) : value).split(/\s+/).filter(Boolean);
    const set = expand(names, groups);
    if (deny) {
      if (allowed) for (const s of set) allowed.delete(s);
    } else {
      allowed = allowed ?? new Set();
      for (const s of set) allowed.add(s);
    }
  }
  if (!allowed) throw new Error('the unit has no SystemCallFilter= allow list');
  return allowed;
}

/** System call names in an `strace -f` log. */
export function tracedSyscalls(log: string): Set<string> {
  const out = new Set<string>();
  for (const m of log.matchAll(/^\d+\s+([a-z0-9_]+)\(/gm)) if (m[1]) out.add(m[1]);
  for (const m of log.matchAll(/<\.\.\. ([a-z0-9_]+) resumed>/g)) if (m[1]) out.add(m[1]);
  return out;
}

/** The first process id in an `strace -f` log (the traced command itself). */
export function firstPid(log: string): number | undefined {
  const m = /^(\d+)\s/m.exec(log);
  return m?.[1] ? Number(m[1]) : undefined;
}
