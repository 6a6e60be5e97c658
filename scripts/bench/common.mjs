// What the benchmark sections share: medians, the sandbox's env file, the apiserver's own count
// of the requests it served.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The variables of DIR/env (default $SANDBOX_DIR, else .sandbox). */
export function sandboxEnv(dir = process.env.SANDBOX_DIR ?? join(repo, '.sandbox')) {
  const file = join(dir, 'env');
  if (!existsSync(file)) throw new Error(`the sandbox is not up (${file}): SANDBOX_DIR=${dir} npm run sandbox -- up`);
  const env = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return env;
}

/** Sum of apiserver_request_total (of one verb when given), read from /metrics. */
export function requestTotal(kubectl, kubeconfig, verb) {
  const text = spawnSync(kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/metrics'], { maxBuffer: 256 << 20 }).stdout.toString();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('apiserver_request_total{') && (!verb || line.includes(`verb="${verb}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
