/**
 * Runs one Responder as its own process inside a LAN namespace, for the netns tests:
 *   bun test/l2/responder-main.ts '{"name":"n1","listenPort":8080,"gratuitousIntervalSeconds":60}'
 * JSON lines on stdin:
 *   {"cmd":"own","owned":{"192.168.2.200":"eth0" | "auto"}}  ("auto": interface-choice.ts on the OS facts)
 *   {"cmd":"status"}
 * Each command prints {"type":"status","owned":[...],"counters":{...},"problems":[...]} on stdout.
 * A TCP listener on [::]:listenPort writes the node name to every connection (the "Service").
 * SIGTERM stops the Responder and exits 0.
 */

import { chooseInterfaces } from '../../agent/l2/interface-choice.ts';
import { readLinks } from '../../agent/l2/link-facts.ts';
import { openLink } from '../../agent/l2/link-port.ts';
import { type Problem, Responder } from '../../agent/l2/responder.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { createLogger } from '../../agent/lib/log.ts';

interface Config {
  name: string;
  listenPort?: number;
  gratuitousIntervalSeconds?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const log = createLogger({ level: 'info', format: 'json', write: (l) => process.stderr.write(`${l}\n`) });
const responder = new Responder({
  clock: systemClock,
  openLink,
  log,
  gratuitousIntervalSeconds: config.gratuitousIntervalSeconds,
});

if (config.listenPort) {
  Bun.listen({
    hostname: '::',
    port: config.listenPort,
    socket: {
      open(s) {
        s.end(`${config.name}\n`);
      },
      data() {},
    },
  });
}

function status(problems: Problem[] = []): void {
  console.log(
    JSON.stringify({ type: 'status', ...responder.snapshot(), counters: responder.counters(), problems }),
  );
}

process.on('SIGTERM', () => {
  responder.stop();
  process.exit(0);
});

let buf = '';
for await (const chunk of Bun.stdin.stream()) {
  buf += new TextDecoder().decode(chunk);
  for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
    const line = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    if (!line) continue;
    const cmd = JSON.parse(line) as { cmd: string; owned?: Record<string, string> };
    if (cmd.cmd === 'own') {
      const problems: Problem[] = [];
      const owned = new Map<string, string | string[]>();
      const links = readLinks();
      for (const [ip, iface] of Object.entries(cmd.owned ?? {})) {
        if (iface !== 'auto') {
          owned.set(ip, iface);
          continue;
        }
        const c = chooseInterfaces(ip, links);
        if (c.ok) owned.set(ip, c.interfaces);
        else problems.push({ ip, message: c.message });
      }
      status([...problems, ...responder.setOwned(owned)]);
    } else status();
  }
}
responder.stop();
