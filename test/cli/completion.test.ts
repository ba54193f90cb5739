// Completion and the man page come from the command table: they load in a real bash and man,
// and name exactly the commands and options the CLI has.
import { describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../agent/cli/commands.ts';
import { bashCompletion, fishCompletion, manPage, zshCompletion } from '../../agent/cli/completion.ts';
import { runCli } from '../support/cli.ts';
import { missing } from '../support/env.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgelb-completion-'));

/** Runs bash's completion function for a command line, as readline would on TAB. */
function complete(words: string[]): string[] {
  const file = join(dir, 'edgelb.bash');
  writeFileSync(file, bashCompletion(commands));
  const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _edgelb; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script, 'bash', file, ...words], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('bash completion', () => {
  test('loads in bash and registers edgelb', () => {
    const why = missing({ tools: ['bash'] });
    if (why) return;
    const r = runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    const file = join(dir, 'loaded.bash');
    writeFileSync(file, r.stdout);
    const b = spawnSync('bash', ['-c', `source "${file}" && complete -p edgelb`], { encoding: 'utf8' });
    expect(b.status).toBe(0);
    expect(b.stdout.trim()).toBe('complete -F _edgelb edgelb');
  });

  test('completes commands, options and subcommands', () => {
    expect(complete(['edgelb', 'st'])).toEqual(['status']);
    expect(complete(['edgelb', 'status', '--j'])).toEqual(['--json']);
    expect(complete(['edgelb', 'bgp', ''])).toEqual(['listen', '--help']);
    expect(complete(['edgelb', 'bgp', 'listen', '--a'])).toEqual(['--asn']);
    expect(complete(['edgelb', 'help', 'rou'])).toEqual(['router-config']);
  });

  test('every command and option of the table is offered', () => {
    expect(complete(['edgelb', '']).sort()).toEqual([...commands.map((c) => c.name), 'help'].sort());
    for (const c of commands)
      for (const name of Object.keys(c.options ?? {}))
        expect(complete(['edgelb', c.name, `--${name}`])).toContain(`--${name}`);
  });
});

describe('zsh and fish completion', () => {
  test('name every command with its summary, and its options', () => {
    const zsh = zshCompletion(commands);
    const fish = fishCompletion(commands);
    expect(zsh).toStartWith('#compdef edgelb\n');
    for (const c of commands) {
      expect(zsh).toContain(`'${c.name}:`);
      expect(fish).toContain(`-a ${c.name} -d '`);
      for (const name of Object.keys(c.options ?? {})) {
        expect(zsh).toContain(`'--${name}'`);
        expect(fish).toContain(`__fish_seen_subcommand_from ${c.name}' -l ${name}`);
      }
    }
  });

  test('an unknown shell is a usage error', () => {
    const r = runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown shell "tcsh": give one of bash, zsh, fish');
  });
});

describe('man page', () => {
  test('renders with man -l, without warnings, and holds every command', () => {
    const why = missing({ tools: ['man'] });
    if (why) return;
    const file = join(dir, 'edgelb.8');
    writeFileSync(file, manPage(commands, '0.0.0-test', '2026-12-06'));
    const r = spawnSync('man', ['-l', '--warnings', file], {
      encoding: 'utf8',
      env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100', LANG: 'C.UTF-8' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('edgelb - LoadBalancer IPs');
    for (const c of commands) expect(r.stdout).toContain(`edgelb ${c.name}`);
    // A usage line starting with a dot would vanish as a roff request: every usage survives.
    expect(r.stdout).toContain('Usage: edgelb router-config');
  });
});
