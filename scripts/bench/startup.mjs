// Start-up of the released linux/amd64 executable against kubectl's, in the same run: the
// commands interleaved round by round (so machine noise hits all alike), medians of --runs.
// Also timed: the floor of this design - a single executable on the same Node runtime whose
// start-up snapshot holds a function printing one line (made here once, under dist/floor/).
// Flags: --runs N (default 15), --exe PATH (another build of kubectl-pgo), --compare PATH (a second
// build timed in the same rounds, e.g. the one before a change), --no-floor, --json.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './common.mjs';
import { HOST_TARGET, TARGETS, key } from '../package/runtimes.mjs';
import { ensureRuntime } from '../package/fetch-node.mjs';
import { buildBlob, findStripper, makeExecutable } from '../package/sea.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.resolve(repo, '../shared/fixtures/pgo/v5.8.9/recorded/healthy.yaml');

function flag(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

function kubectlPath() {
  if (process.env.KPGO_KUBECTL) return process.env.KPGO_KUBECTL;
  const dir = spawnSync('bash', [path.join(repo, 'scripts/sandbox/build-bins.sh'), '--path', 'kubernetes'], { encoding: 'utf8' }).stdout.trim();
  return path.join(dir, 'kubectl');
}

function timeOnce(cmd, env, okCodes = [0]) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!okCodes.includes(r.status)) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr.toString().split('\n')[0]}`);
  return ms;
}

/** The floor: Node's start from a snapshot, deserialising, one write, exit - nothing of ours. */
async function floorExecutable() {
  const target = TARGETS.find((t) => key(t) === HOST_TARGET);
  const dir = path.join(repo, 'dist/floor');
  const exe = path.join(dir, `floor-node-${target.version}`);
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const main = path.join(dir, 'floor.js');
  writeFileSync(main, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => process.stdout.write('kubectl-pgo v0.0.0\\n'));\n");
  const { node } = ensureRuntime(target);
  const blob = path.join(dir, 'floor.blob');
  buildBlob({ builderNode: node, main, out: blob, codeCache: false, snapshot: true });
  await makeExecutable({ runtime: node, format: target.format, arch: target.arch, blob, out: exe, strip: findStripper() });
  return exe;
}

export async function run(args) {
  const runs = Number(flag(args, '--runs', '15'));
  const exe = path.resolve(flag(args, '--exe', path.join(repo, 'dist/release/linux-amd64/kubectl-pgo')));
  if (!existsSync(exe)) throw new Error(`${exe} is missing: run npm run build && npm run package -- --platforms linux/amd64`);
  const kubectl = kubectlPath();
  const home = mkdtempSync(path.join(tmpdir(), 'kpgo-bench-home-'));
  const kubeconfig = path.join(home, 'kubeconfig');
  // The dump alone: `status --from FILE` also reads the *.log files beside FILE (PGO's log), and
  // the recorded dump's directory holds a 550 KB one.
  const dump = path.join(home, 'healthy.yaml');
  copyFileSync(FIXTURE, dump);
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  const env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig };
  const cases = [
    { name: 'kubectl version --client', cmd: [kubectl, 'version', '--client'] },
    ...(args.includes('--no-floor') || process.platform !== 'linux' || process.arch !== 'x64'
      ? []
      : [{ name: 'floor: a single executable whose snapshot prints one line', cmd: [await floorExecutable()] }]),
    ...ourCommands('kubectl-pgo', exe),
    ...(flag(args, '--compare') ? ourCommands('compared', path.resolve(flag(args, '--compare'))) : []),
  ];
  function ourCommands(label, bin) {
    return [
      { name: `${label} version --client`, cmd: [bin, 'version', '--client'] },
      { name: `${label} --help`, cmd: [bin, '--help'] },
      // Exit 2 is a report with an error finding: a run all the same.
      { name: `${label} status --from healthy.yaml`, cmd: [bin, 'status', '--from', dump, '--color', 'never'], ok: [0, 2] },
    ];
  }
  const bundle = path.join(repo, 'dist/kubectl-pgo');
  if (existsSync(bundle)) {
    cases.push({ name: 'dist/kubectl-pgo --help (bundle on the machine\'s node)', cmd: [process.execPath, bundle, '--help'] });
    cases.push({ name: 'node dist/kubectl-pgo version --client', cmd: [process.execPath, bundle, 'version', '--client'] });
  }
  const samples = cases.map(() => []);
  try {
    for (let round = -2; round < runs; round++) {
      cases.forEach((c, i) => {
        const ms = timeOnce(c.cmd, env, c.ok);
        if (round >= 0) samples[i].push(ms); // two warm-up rounds fill the page cache
      });
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const base = median(samples[0]);
  const rows = cases.map((c, i) => ({ command: c.name, medianMs: +median(samples[i]).toFixed(1), minMs: +Math.min(...samples[i]).toFixed(1), vsKubectl: +(median(samples[i]) / base).toFixed(2) }));
  const release = path.join(repo, 'dist/release');
  const archives = existsSync(release)
    ? readdirSync(release).filter((f) => /\.(tar\.gz|zip)$/.test(f)).map((f) => ({ archive: f, mb: +(statSync(path.join(release, f)).size / 1e6).toFixed(1) }))
    : [];
  const report = { runs, exe, exeMb: +(statSync(exe).size / 1e6).toFixed(1), startup: rows, archives };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const w = Math.max(...rows.map((r) => r.command.length));
  process.stdout.write(`medians of ${runs} interleaved runs (after 2 warm-up rounds); executable ${report.exeMb} MB\n`);
  process.stdout.write(`${'command'.padEnd(w)}  median ms  min ms  x kubectl\n`);
  for (const r of rows) process.stdout.write(`${r.command.padEnd(w)}  ${String(r.medianMs).padStart(9)}  ${String(r.minMs).padStart(6)}  ${String(r.vsKubectl).padStart(9)}\n`);
  if (archives.length) {
    process.stdout.write('\narchive sizes\n');
    for (const a of archives) process.stdout.write(`  ${a.archive}  ${a.mb} MB\n`);
  }
}
