// The collect section of npm run bench: prints what scripts/bench/collect.mjs measures.
import { apiRequestCounts, fromFileCost } from './collect.mjs';

export async function run() {
  process.stdout.write(`${JSON.stringify({ apiRequests: await apiRequestCounts(), fromFile: fromFileCost() }, null, 2)}\n`);
}
