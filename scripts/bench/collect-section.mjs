// `npm run bench -- collect [--from-only]`: the engine's cost. API requests of `status -A` at 1,
// 10 and 500 clusters need the sandbox (`npm run sandbox -- up`; the control plane alone is
// best: no controller adds requests of its own); --from cost needs nothing.
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiRequestCounts, fromFileCost } from './collect.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function run(args) {
  if (!existsSync(join(repo, 'dist/kubectl-pgo'))) throw new Error('build first: npm run build');
  const from = fromFileCost(500, 3);
  process.stdout.write(
    `status --from, ${from.clusters} clusters (${(from.bytes / 1e6).toFixed(0)} MB of YAML): ` +
      `median wall ${from.wallMs} ms, median peak RSS ${from.peakRssMiB} MiB (exit ${from.exit})\n`,
  );
  if (args.includes('--from-only')) return;
  if (!existsSync(join(process.env.SANDBOX_DIR ?? join(repo, '.sandbox'), 'env'))) throw new Error('the sandbox is not up: npm run sandbox -- up (or pass --from-only)');
  const rows = await apiRequestCounts([1, 10, 500]);
  process.stdout.write('status -A against the sandbox, requests counted by the apiserver (apiserver_request_total):\n');
  process.stdout.write('  clusters  seen  requests  wall ms  exit\n');
  for (const r of rows) {
    process.stdout.write(`  ${String(r.clusters).padStart(8)}  ${String(r.seen).padStart(4)}  ${String(r.requests).padStart(8)}  ${String(r.ms).padStart(7)}  ${r.exit}\n`);
  }
}
