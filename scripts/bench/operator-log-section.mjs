// `npm run bench -- log [--runs N]`: parsing and grouping a 4 MiB PGO log (scripts/bench/operator-log.ts),
// in 5 fresh processes: the first digest in each is cold (no JIT yet), as in a `status` run.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function run(args) {
  const i = args.indexOf('--runs');
  const runs = i >= 0 ? Number(args[i + 1]) : 15;
  const results = [];
  for (let p = 0; p < 5; p++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/bench/operator-log.ts'), String(runs)], { cwd: repo, encoding: 'utf8' });
    results.push(JSON.parse(out));
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const r = results[0];
  process.stdout.write(
    `PGO log of ${(r.bytes / 1048576).toFixed(1)} MiB (${r.lines} lines, ${r.reconcileErrors} Reconciler error in ${r.groups} groups, cut mid-line):\n` +
      `  first digest in a fresh process (cold): median ${med(results.map((x) => x.firstMs))} ms of 5 processes (max ${Math.max(...results.map((x) => x.firstMs))} ms)\n` +
      `  warm: median ${med(results.map((x) => x.medianMs))} ms (${runs} runs per process)\n` +
      `  CPU time (not inflated by waiting for a core on a busy machine): cold median ${med(results.map((x) => x.firstCpuMs))} ms, warm median ${med(results.map((x) => x.medianCpuMs))} ms\n`,
  );
}
