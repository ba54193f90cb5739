/**
 * The shell commands the README shows: every line of a `sh` code block (heredoc bodies and
 * comments left out), every `$ ` line of a transcript block, and every code span whose first
 * word is a program a reader would type. Normalised (whitespace collapsed, a trailing
 * comment dropped) so the manifest can name each by its exact text.
 */

/** First words that make a code span a command (after an optional `sudo` or `VAR=value`). */
export const PROGRAMS = new Set([
  './edgelb-linux-x64',
  'arp',
  'arping',
  'bash',
  'bgpd',
  'biome',
  'birdc',
  'bun',
  'chmod',
  'curl',
  'debootstrap',
  'edgelb',
  'edgelb-uninstall.sh',
  'flock',
  'helm',
  'ip',
  'journalctl',
  'kubectl',
  'man',
  'ndisc6',
  'nice',
  'npm',
  'promtool',
  'qemu-aarch64-static',
  'scp',
  'sha256sum',
  'sudo',
  'systemctl',
  'systemd-analyze',
  'systemd-nspawn',
  'tsc',
  'vtysh',
  'xz',
]);

export function normalise(line: string): string {
  return line
    .replace(/\s+#(?![^']*'(?:[^']*'[^']*')*[^']*$).*$/, '')
    .replace(/^\$ /, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The program a command line runs: its first word after `sudo` and `VAR=value` assignments. */
export function programOf(line: string): string {
  const words = line.split(' ');
  let i = 0;
  while (i < words.length - 1 && (words[i] === 'sudo' || /^[A-Z_]+=\S*$/.test(words[i]!))) i++;
  return words[i] ?? '';
}

function blockCommands(lang: string, body: string): string[] {
  const out: string[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (lang !== 'sh') {
      if (raw.startsWith('$ ')) out.push(normalise(raw));
      continue;
    }
    if (/^\s*(#|$)/.test(raw)) continue;
    let line = raw;
    const here = /<<'?(\w+)'?/.exec(line);
    if (here) {
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== here[1]) i++;
      i++;
    }
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]}`;
    out.push(normalise(line));
  }
  return out;
}

/** Every command of the README, in order of appearance, without repeats. */
export function readmeCommands(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/```([a-z]*)\n([\s\S]*?)```/g)) out.push(...blockCommands(m[1]!, m[2]!));
  const prose = text.replace(/```[\s\S]*?```/g, '');
  for (const m of prose.matchAll(/`([^`]+)`/g)) {
    const span = normalise(m[1]!.replace(/\n\s*/g, ' '));
    if (span.includes(' ') && PROGRAMS.has(programOf(span))) out.push(span);
  }
  return [...new Set(out.filter((c) => c !== ''))];
}
