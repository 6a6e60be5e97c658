// The cost of reading PGO's log: a 4 MiB log (the most one pods/log read keeps) made of the
// real operator's lines (../shared/fixtures/pgo/v5.8.9/recorded/operator.log) for 40 clusters,
// cut mid-line at 4 MiB as limitBytes cuts it, digested by lib/operator-log. Prints JSON.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { digestOperatorLog } from '../../lib/operator-log/digest.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const shared = process.env.KPGO_SHARED_DIR ?? path.resolve(repo, '../shared');
const real = readFileSync(path.join(shared, 'fixtures/pgo/v5.8.9/recorded/operator.log'), 'utf8');
const runs = Number(process.argv[2] ?? 15);
const LIMIT = 4 * 1024 * 1024;

let text = '';
for (let i = 0; Buffer.byteLength(text) < LIMIT; i++) text += real.replaceAll('/hippo ', `/hippo-${i % 40} `).replaceAll('name=hippo ', `name=hippo-${i % 40} `);
text = Buffer.from(text).subarray(0, LIMIT).toString('utf8');

// Wall time, and this process's CPU time (the machine is shared: CPU time is not inflated by waiting for a core).
const times: number[] = [];
const cpu: number[] = [];
let d = digestOperatorLog('');
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  d = digestOperatorLog(text, { cut: true });
  times.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
const cpuSorted = [...cpu].sort((a, b) => a - b);
const sorted = [...times].sort((a, b) => a - b);
process.stdout.write(JSON.stringify({
  bytes: Buffer.byteLength(text),
  lines: d.lines,
  pgoLines: d.pgoLines,
  reconcileErrors: d.errors.reduce((n, g) => n + g.count, 0),
  groups: d.errors.length,
  firstMs: Number(times[0].toFixed(1)),
  firstCpuMs: Number(cpu[0].toFixed(1)),
  medianCpuMs: Number(cpuSorted[Math.floor(cpuSorted.length / 2)].toFixed(1)),
  medianMs: Number(sorted[Math.floor(sorted.length / 2)].toFixed(1)),
  maxMs: Number(sorted[sorted.length - 1].toFixed(1)),
}) + '\n');
