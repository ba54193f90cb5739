/**
 * Which test (or the demo) runs each shell command the README shows, keyed by the command's
 * normalised text (readme-shell.ts). `runs` are fragments the named file must contain: the
 * command itself where it runs as written, else the equivalent invocation (argv arrays, the
 * JSON form of a router query). `why` says why a local equivalent stands in for the command.
 */

export interface Coverage {
  /** A test file, scripts/demo.ts, or .ci/run (the CI entry point). */
  by: string;
  /** Fragments `by` contains (whitespace collapsed); default: the command itself. */
  runs?: string[];
  /** Why the command does not run as written: what stands in for it. */
  why?: string;
}

const KUBECTL = 'test/docs/readme-kubectl.test.ts';
const DOWNLOAD = 'test/docs/readme-download.test.ts';
const BENCH = 'test/docs/readme-bench.test.ts';
const CLI = 'test/docs/readme-cli.test.ts';
const INSTALL = 'test/install/install.test.ts';
const SETTINGS = 'test/install/settings.test.ts';
const NSPAWN = 'test/install/systemd-boot.test.ts';
const UNIT = 'test/install/systemd-unit.test.ts';
const ROUTERCFG = 'test/routercfg/cli.test.ts';
const CLUSTER = 'test/kube/edgelb-nodes-cluster.test.ts';
const BLOG = 'test/e2e/blog.test.ts';
const L2 = 'test/l2/responder-netns.test.ts';
const PLACEHOLDER_URL = 'the release URL is replaced by a local HTTP server holding a release';

export const COVERAGE: Record<string, Coverage> = {
  // Install: the release download, the kubeconfig, the installer.
  'curl -sfLO <url>/edgelb-linux-x64 && chmod +x edgelb-linux-x64': { by: DOWNLOAD, why: PLACEHOLDER_URL },
  './edgelb-linux-x64 kubeconfig --server https://192.168.2.12:6443 -o edgelb-node.kubeconfig': {
    by: 'test/install/first-run.test.ts',
    runs: ["'kubeconfig', '--server', srv.url, '-o', nodeKubeconfig"],
    why: "the test API server stands in for the blog's at 192.168.2.12",
  },
  'curl -sfL <url>/install.sh | sudo EDGELB_KUBECONFIG=/root/edgelb-node.kubeconfig EDGELB_NODE_NAME=pi4 sh -':
    {
      by: SETTINGS,
      runs: ["EDGELB_KUBECONFIG: kubeconfig, EDGELB_NODE_NAME: 'pi4'"],
      why: 'install.sh runs from a local server (curl | sh in test/install/harness.ts) into EDGELB_ROOT, not the host',
    },
  'curl -sfLO <url>/edgelb-linux-x64': { by: DOWNLOAD, why: PLACEHOLDER_URL },
  'curl -sfLO <url>/SHA256SUMS && sha256sum --ignore-missing -c SHA256SUMS': {
    by: DOWNLOAD,
    why: PLACEHOLDER_URL,
  },
  'chmod +x edgelb-linux-x64': { by: DOWNLOAD },
  'scp edgelb-node.kubeconfig pi4:/root/': {
    by: SETTINGS,
    runs: ['EDGELB_KUBECONFIG: kubeconfig'],
    why: 'no second host here: the installer is given the kubeconfig from a local path, as on pi4 after the copy',
  },
  'curl -sfL <url>/install.sh | sudo EDGELB_SOURCE=files sh -': {
    by: SETTINGS,
    runs: ["lab.install({ EDGELB_SOURCE: 'files' })"],
    why: 'install.sh runs from a local server into EDGELB_ROOT, not the host',
  },
  'curl -sfL URL/install.sh | sh -': {
    by: NSPAWN,
    runs: ['install.sh | sh -'],
    why: 'inside a booted systemd-nspawn container, the release served on its loopback',
  },
  'sudo edgelb-uninstall.sh': { by: INSTALL, runs: ["test('uninstall removes binary, unit and user"] },
  'sudo edgelb-uninstall.sh --purge': { by: INSTALL, runs: ["uninstall('--purge')"] },
  'xz -6': {
    by: 'test/build/binaries.test.ts',
    runs: ['.xz'],
    why: 'scripts/build.sh compresses; the test unpacks and checks each',
  },
  'xz -dc': { by: 'test/build/binaries.test.ts', runs: ['xz -dc "$0" | sha256sum'] },
  'chmod o-r FILE': { by: 'test/config/permissions.test.ts', runs: ['chmod o-r'] },
  'chmod go-w FILE': { by: 'test/config/permissions.test.ts', runs: ['chmod go-w'] },

  // The cluster side, by hand with kubectl (readme-kubectl runs the README's block as written).
  'edgelb manifests | kubectl apply -f -': {
    by: KUBECTL,
    runs: ["block('edgelb manifests | kubectl apply -f -')"],
  },
  "kubectl apply -f - <<'EOF'": { by: KUBECTL, runs: ["block('edgelb manifests | kubectl apply -f -')"] },
  "kubectl -n kube-system wait --for=jsonpath='{.data.token}' secret/edgelb-token": {
    by: KUBECTL,
    runs: ["block('edgelb manifests | kubectl apply -f -')"],
  },
  "TOKEN=$(kubectl -n kube-system get secret edgelb-token -o jsonpath='{.data.token}' | base64 -d)": {
    by: KUBECTL,
    runs: ["block('edgelb manifests | kubectl apply -f -')"],
  },
  "kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ca.crt":
    { by: KUBECTL, runs: ["block('edgelb manifests | kubectl apply -f -')"] },
  'kubectl --kubeconfig=edgelb-node.kubeconfig config set-cluster cluster --server=https://192.168.2.12:6443 --certificate-authority=ca.crt --embed-certs=true':
    {
      by: KUBECTL,
      runs: ['replaceAll(BLOG_SERVER, srv.url)'],
      why: "the test API server replaces the blog's at 192.168.2.12",
    },
  'kubectl --kubeconfig=edgelb-node.kubeconfig config set-credentials edgelb --token="$TOKEN"': {
    by: KUBECTL,
    runs: ["block('edgelb manifests | kubectl apply -f -')"],
  },
  'kubectl --kubeconfig=edgelb-node.kubeconfig config set-context edgelb --cluster=cluster --user=edgelb': {
    by: KUBECTL,
    runs: ["block('edgelb manifests | kubectl apply -f -')"],
  },
  'kubectl --kubeconfig=edgelb-node.kubeconfig config use-context edgelb': {
    by: KUBECTL,
    runs: ["block('edgelb manifests | kubectl apply -f -')"],
  },
  "kubectl -n kube-system create secret generic bgp-auth --from-literal=password='s3cret'": {
    by: KUBECTL,
    why: 'built with --dry-run=client and sent by kubectl apply: the test API server speaks no protobuf',
  },
  'kubectl -n kube-system create role edgelb-bgp-auth --verb=get --resource=secrets --resource-name=bgp-auth':
    {
      by: KUBECTL,
      why: 'built with --dry-run=client and sent by kubectl apply: the test API server speaks no protobuf',
    },
  'kubectl -n kube-system create rolebinding edgelb-bgp-auth --role=edgelb-bgp-auth --serviceaccount=kube-system:edgelb':
    {
      by: KUBECTL,
      why: 'built with --dry-run=client and sent by kubectl apply: the test API server speaks no protobuf',
    },
  "kubectl get loadbalancerippool nginx-ingress -o jsonpath='{.status.held}'": {
    by: KUBECTL,
    runs: ['readme(heldCmd!)'],
  },
  'kubectl get edgelbnodes': { by: CLUSTER, runs: ["'get', 'edgelbnodes'"] },
  'kubectl apply -f': { by: KUBECTL, runs: ['kubectl apply -f edgelb.yaml'] },
  'kubectl apply -f edgelb.yaml': { by: KUBECTL },
  'kubectl apply': { by: KUBECTL, runs: ['kubectl apply -f edgelb.yaml'] },
  'kubectl get svc -A': { by: KUBECTL },
  'kubectl get service': { by: KUBECTL },
  'kubectl describe service': { by: KUBECTL },
  'kubectl create token': {
    by: 'test/cli/kubeconfig.test.ts',
    runs: ['kubeconfig'],
    why: 'named as what edgelb does not use: edgelb kubeconfig writes a token Secret instead, tested here',
  },
  'kubectl -n kube-system delete secret edgelb-token': { by: KUBECTL },
  'kubectl label node worker peering=yes': { by: KUBECTL },
  'kubectl get node worker --show-labels': { by: KUBECTL },
  'kubectl get loadbalancerippools': { by: KUBECTL },
  "kubectl get secret -n NS NAME -o jsonpath='{.data.KEY}' | base64 -d": { by: KUBECTL },
  "kubectl -n kube-system get lease -l edgelb.io/l2-heartbeat=true -o custom-columns='NODE:.spec.holderIdentity,OWNS:.metadata.annotations.edgelb\\.io/l2-owned'":
    { by: KUBECTL },
  'kubectl get l2announcementpolicy lan -o yaml': { by: KUBECTL },
  'kubectl cordon': { by: KUBECTL, runs: ['kubectl cordon NODE'] },
  'kubectl cordon NODE': { by: KUBECTL },
  'kubectl uncordon NODE': { by: KUBECTL },
  'kubectl drain': {
    by: 'test/e2e/maintenance.test.ts',
    runs: ['unschedulable: true'],
    why: 'kubectl drain cordons then evicts pods; the test API server serves no pods, so the cordon it does is set on the Node',
  },
  'kubectl -n kube-system get configmap kubevip -o yaml | edgelb convert': { by: KUBECTL },
  'helm uninstall && helm install': {
    by: 'test/ipam/holds.test.ts',
    runs: ['re-created within the hold'],
    why: 'no helm here: the Service deleted and re-created under the same name, which is what it does to edgelb',
  },

  // The edgelb commands.
  'sudo edgelb doctor --online': {
    by: 'test/cli/doctor.test.ts',
    runs: ["'doctor', '--online'"],
    why: 'the tests run as root',
  },
  'edgelb doctor': { by: 'test/cli/doctor.test.ts', runs: ["'doctor', '--config'"] },
  'edgelb doctor [--config PATH] [--online]': {
    by: 'test/cli/doctor.test.ts',
    runs: ["'doctor', '--online', '--config'"],
  },
  'edgelb completion bash | sudo tee /etc/bash_completion.d/edgelb >/dev/null': {
    by: 'test/cli/completion.test.ts',
    runs: ["'completion', 'bash'", 'complete -p edgelb'],
    why: 'the script is loaded into bash from a temporary file, not /etc',
  },
  'sudo install -m 0644 edgelb.8 /usr/local/share/man/man8/ && man edgelb': {
    by: 'test/cli/completion.test.ts',
    runs: ['man', "'-l'"],
    why: 'the page is rendered with man -l from a temporary file, not installed into /usr/local',
  },
  'edgelb plan -f pool-edit.yaml': { by: 'test/cli/plan.test.ts', runs: ["'plan', '-f', file"] },
  'edgelb plan -f shrink.yaml': { by: 'test/cli/plan.test.ts', runs: ["'plan', '-f', file"] },
  'edgelb plan': { by: 'test/cli/plan.test.ts', runs: ["'plan', '-f', '-'"] },
  'edgelb explain default/web': { by: 'test/e2e/explain-frr.test.ts', runs: ["'explain', 'default/web'"] },
  'edgelb explain default/web --cluster': { by: CLUSTER, runs: ["'explain', 'default/web', '--cluster'"] },
  'edgelb explain NAMESPACE/NAME': { by: 'test/e2e/explain-frr.test.ts', runs: ["'explain', 'default/web'"] },
  'edgelb explain --cluster': { by: CLUSTER, runs: ["'explain', 'default/web', '--cluster'"] },
  'edgelb explain': { by: 'test/e2e/explain-frr.test.ts', runs: ["'explain', 'default/web'"] },
  'edgelb status --cluster': { by: CLUSTER, runs: ["'status', '--cluster'"] },
  'edgelb status': { by: 'scripts/demo.ts', runs: ["'status', '--url'"] },
  'edgelb status --json': { by: 'test/e2e/cluster.ts', runs: ["'status', '--json'"] },
  'edgelb status --watch [--interval 2]': {
    by: 'test/cli/wording.test.ts',
    runs: ["'--watch', '--interval'"],
  },
  'edgelb router-config --for frr': {
    by: 'test/routercfg/kubernetes.test.ts',
    runs: ["'router-config', '--for', 'frr'"],
  },
  'edgelb router-config --for bird': { by: ROUTERCFG, runs: ["'--for', 'bird'"] },
  'edgelb router-config --for opnsense': {
    by: 'test/routercfg/kubernetes.test.ts',
    runs: ["'router-config', '--for', 'opnsense'"],
  },
  'edgelb router-config --for routeros': { by: ROUTERCFG, runs: ["'--for', 'routeros'"] },
  'edgelb router-config --for frr|bird|opnsense|routeros': {
    by: ROUTERCFG,
    runs: ["'--for', 'bird'", "'--for', 'routeros'"],
  },
  'edgelb router-config': {
    by: 'test/routercfg/kubernetes.test.ts',
    runs: ["'router-config', '--for', 'frr'"],
  },
  'sudo edgelb drain': {
    by: 'test/e2e/maintenance.test.ts',
    runs: ["['drain']"],
    why: 'run as root in the node namespace',
  },
  'sudo edgelb undrain': {
    by: 'test/e2e/maintenance.test.ts',
    runs: ["['undrain']"],
    why: 'run as root in the node namespace',
  },
  'edgelb drain': { by: 'test/control/control-socket.test.ts', runs: ["'drain', '--config'"] },
  'edgelb undrain': { by: 'test/control/control-socket.test.ts', runs: ["'undrain', '--config'"] },
  'edgelb drain [--config PATH] [--settle SECONDS] [--timeout SECONDS]': {
    by: CLI,
    runs: ["'drain', '--config', cfg, '--settle', '0', '--timeout', '1'"],
  },
  'sudo reboot': {
    by: 'test/e2e/maintenance.test.ts',
    runs: ['stopping'],
    why: "no reboot here: the agent is stopped with systemd's state injected as stopping, which is what a reboot does to it",
  },
  'sudo edgelb bgp listen --asn 65000 --listen 0.0.0.0:179': {
    by: 'test/interop/bgp-listen.test.ts',
    runs: ["'bgp', 'listen', '--asn', '65000', '--listen'", ':179`'],
    why: "as root on port 179 of the router's address in a network namespace (the demo's runs on 127.0.0.1:1179)",
  },
  'edgelb bgp listen': { by: 'scripts/demo.ts', runs: ["'bgp', 'listen'"] },
  'edgelb convert -f cilium.yaml > edgelb.yaml': { by: KUBECTL },
  'edgelb convert': { by: KUBECTL, runs: ['| edgelb convert'] },
  'edgelb kubeconfig': { by: 'test/cli/kubeconfig.test.ts', runs: ["cli(['kubeconfig'"] },
  'edgelb kubeconfig [--server URL] [-o FILE] [--namespace NS] [--kubeconfig PATH]': {
    by: CLI,
    runs: ["'kubeconfig', '--server'", "'-o'", "'--namespace'", "'--kubeconfig'"],
  },
  'edgelb kubeconfig --l2-nodes ...': {
    by: 'test/cli/kubeconfig.test.ts',
    runs: ["'kubeconfig', '--namespace', 'edgelb-l2', '--l2-nodes'"],
  },
  'edgelb manifests': { by: 'test/kube/manifests.test.ts', runs: ["runCli(['manifests'])"] },
  'edgelb manifests --l2-nodes pi4,worker,master': { by: KUBECTL },
  'edgelb manifests --l2-nodes ...': { by: KUBECTL, runs: ['edgelb manifests --l2-nodes pi4,worker,master'] },
  'edgelb run': { by: 'scripts/demo.ts', runs: ["'run', '--config'"] },
  'edgelb run --config /etc/edgelb/config.yaml': {
    by: NSPAWN,
    runs: ['systemctl'],
    why: 'the unit runs it under a real systemd in the container',
  },
  'edgelb check-config --config /etc/edgelb/config.yaml': {
    by: 'test/cli/cli.test.ts',
    runs: ["'check-config', '--config', p"],
  },
  'edgelb check-config': { by: 'test/cli/cli.test.ts', runs: ["'check-config', '--config'"] },
  'edgelb help': { by: CLI, runs: ["runCli(['help'])"] },
  'edgelb help <command>': { by: 'test/cli/wording.test.ts', runs: ["runCli(['help', c.name])"] },
  'edgelb <command> --help': { by: 'test/cli/cli.test.ts', runs: ["runCli([c, '--help'])"] },
  'edgelb version': { by: CLI, runs: ["runCli(['version'])"] },

  // systemd and the journal.
  'systemd-analyze verify': { by: UNIT, runs: ["'verify'"] },
  'systemd-analyze security --offline=true': { by: UNIT, runs: ["'security', '--offline=true'"] },
  'systemctl edit edgelb': {
    by: NSPAWN,
    runs: ['systemctl'],
    why: 'an interactive editor: the unit it edits runs under systemd in the container',
  },
  'systemctl stop': { by: NSPAWN, runs: ["'systemctl', 'stop', UNIT"] },
  'systemctl status edgelb': {
    by: 'test/support/nspawn.ts',
    runs: ["'systemctl', 'show', unit"],
    why: 'systemctl show: the same unit state, in a form a program reads',
  },
  'systemctl is-system-running': { by: 'test/lib/system-state.test.ts', runs: ['is-system-running'] },
  'systemctl restart edgelb': {
    by: INSTALL,
    runs: ['restart'],
    why: 'the installer re-run restarts it (systemctl recorded by a shim)',
  },
  'journalctl -u edgelb': { by: NSPAWN, runs: ["'journalctl', '--no-pager', '-o', 'cat', '-u', UNIT"] },
  'journalctl -u edgelb -p warning': {
    by: 'test/lib/journald-log.test.ts',
    runs: ['JOURNAL_STREAM'],
    why: 'the <N> priority prefix journald reads for -p is checked on the agent output',
  },
  'sudo bun test test/install/systemd-boot.test.ts': {
    by: '.ci/run',
    runs: ['bash scripts/test.sh'],
    why: 'CI runs every test file as root, this one included',
  },
  'debootstrap --variant=minbase': { by: 'test/support/nspawn.ts', runs: ['--variant=minbase'] },
  'systemd-nspawn --boot --register=no --keep-unit --private-network': {
    by: 'test/support/nspawn.ts',
    runs: ['--boot', '--register=no', '--keep-unit', '--private-network'],
  },

  // The router side.
  'bgpd -p': {
    by: CLI,
    runs: ["[BGPD, '--help']", '-p, --bgp_port'],
    why: 'a hint in a warning: bgpd is checked to have it',
  },
  "vtysh -c 'show bgp ipv4 unicast 172.198.1.1/32'": {
    by: BLOG,
    runs: ["vtysh('show bgp ipv4 unicast 172.198.1.1/32')"],
  },
  "vtysh -c 'show bgp summary'": { by: BLOG, runs: ["vtysh('show bgp summary')"] },
  "vtysh -c 'show bfd peers'": {
    by: 'test/routercfg/frr.test.ts',
    runs: ["'show bfd peers json'"],
    why: 'its JSON form',
  },
  'birdc show protocols': { by: 'test/routercfg/bird.test.ts', runs: ['show protocols edgelb_'] },
  'birdc show route all 172.198.1.1/32': {
    by: 'test/routercfg/bird.test.ts',
    runs: ['`show route all $'],
  },

  // L2 checks from a client on the LAN (the L2 lab's client namespace).
  'arping -I eth0 192.168.2.200': { by: L2, runs: ["'arping', '-c', '2', '-w', '2', '-I', 'eth0', ip"] },
  'ndisc6 -m fd00:2::200 eth0': { by: L2, runs: ["'ndisc6', '-m'"] },
  'ip link show eth0': {
    by: 'test/support/l2-lab.ts',
    runs: ["'/sys/class/net/eth0/address'"],
    why: 'the MAC ip link shows, read from sysfs',
  },
  'ip neigh show 192.168.2.200': { by: L2, runs: ["'ip', 'neigh', 'show', ip"] },
  'arp -a': {
    by: L2,
    runs: ["'ip', 'neigh', 'show', ip"],
    why: 'net-tools arp is not installed; ip neigh reads the same table',
  },
  'ip link set eth0 down': { by: 'test/bench/failover-bfd.ts', runs: ["'link', 'set', 'eth0', 'down'"] },

  // Metrics and alerts.
  'curl -s http://127.0.0.1:9180/readyz': {
    by: 'test/docs/readme-demo-endpoint.test.ts',
    why: "against the running demo's endpoint (its port for 9180)",
  },
  'curl -s http://127.0.0.1:9180/metrics | grep edgelb_bgp_session_up': {
    by: 'test/docs/readme-demo-endpoint.test.ts',
    why: "against the running demo's endpoint (its port for 9180)",
  },
  'promtool check metrics': { by: 'test/monitoring/monitoring.test.ts', runs: ["'check', 'metrics'"] },
  'promtool check rules': { by: 'test/monitoring/monitoring.test.ts', runs: ["'check', 'rules'"] },
  'promtool test rules scripts/monitoring/edgelb-alerts.test.yaml': {
    by: 'test/monitoring/monitoring.test.ts',
    runs: ["'test', 'rules', 'edgelb-alerts.test.yaml'"],
  },

  // Development.
  'npm ci': { by: '.ci/run', runs: ['npm ci'] },
  'npm run demo': { by: 'test/demo/demo.test.ts', runs: ["'demo.ts'"] },
  'npm ci && npm run demo': {
    by: 'test/demo/demo.test.ts',
    runs: ["'demo.ts'"],
    why: 'npm ci is what .ci/run does first; the test runs the demo script',
  },
  'EDGELB_TARGETS=linux-x64 bash scripts/build.sh && bun run bench:agent': {
    by: 'test/install/release.ts',
    runs: ['`EDGELB_TARGETS=$', "'bash', join(REPO, 'scripts', 'build.sh')"],
    why: 'the one-target build the installer tests use; bench:agent itself is checked in readme-bench',
  },
  'PROPERTY_SEED=<n> PROPERTY_PATH=<path> bun test <file> -t <name>': {
    by: CLI,
    runs: ["PROPERTY_SEED: '42', PROPERTY_PATH: '0'", "'-t'"],
  },
  'sudo npm test': {
    by: '.ci/run',
    runs: ['bash scripts/test.sh'],
    why: 'CI runs what npm test runs, as root',
  },
  'npm run check': {
    by: '.ci/run',
    runs: ['bash scripts/test.sh'],
    why: 'scripts/test.sh runs the same typecheck, lint and tests',
  },
  'tsc --noEmit': { by: 'test/api/definitions.test.ts', runs: ['tsc --noEmit'] },
  'biome check': { by: '.ci/run', runs: ['bash scripts/test.sh'], why: 'scripts/test.sh runs biome check' },
  'npm run build': { by: 'test/build/binaries.test.ts', runs: ['build.sh'] },
  'bun build --compile': { by: 'test/build/binaries.test.ts', runs: ["'--compile'"] },
  'qemu-aarch64-static -cpu cortex-a72': {
    by: 'test/build/binaries.test.ts',
    runs: ["'qemu-aarch64-static', '-cpu', 'cortex-a72'"],
  },
  'nice -n 19': { by: BENCH, runs: ["toStartWith('nice -n 19 ')"], why: 'package.json runs mutate under it' },
};

/** The long-running commands: readme-bench.test.ts checks each one's script, options and build. */
export const BENCH_COMMANDS = [
  'bun run bench:bgp',
  'bun run bench:ipam',
  'bun run bench:agent',
  'bun run bench:failover',
  'bun run fuzz:bgp',
  'bun run bench:agent -- --runs 3 --idle-seconds 30',
  'bun run bench:agent -- --runs 2 --idle-seconds 30',
  'bun run bench:agent -- --modes kubernetes --runs 2 --idle-seconds 30',
  'bun test/bench/l2-memory.ts',
  'sudo bun run bench:failover',
  'sudo bun run bench:failover --parts bfd',
  'bun test/bench/failover-bfd.ts --idle',
  'sudo bun test/bench/failover-bfd.ts --idle --trials 2 --hold-trials 1',
  'sudo bun test/bench/bfd-idle.bench.ts',
  'bun run chaos [--seed N] [--minutes M]',
  'bun run chaos --seconds 300 --seed N',
  'bun run soak [--minutes M] [--warmup-seconds S]',
  'bun run fuzz:bgp [--count N] [--live-count N] [--peers P] [--seed S]',
  'bun test/bench/bgp-output.bench.ts [--seconds 60]',
  'bun run mutate [--folder agent/ipam] [--sample N --seed S] [--max-mutants M] [--jobs J]',
];

for (const cmd of BENCH_COMMANDS) {
  COVERAGE[cmd] = {
    by: BENCH,
    runs: ['BENCH_COMMANDS'],
    why: 'minutes long: its script, its options and that it builds are checked, not a full run',
  };
}
