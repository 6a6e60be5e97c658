// Process helpers over /proc: a container's processes are found and ended by pid, never by name.
import fs from 'node:fs';

export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie counts as gone.
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function ppidOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The given pids and all their descendants that still run. */
export function withDescendants(roots: number[]): number[] {
  const all = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const children = new Map<number, number[]>();
  for (const p of all) {
    const pp = ppidOf(p);
    if (pp !== undefined) children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const out = new Set<number>();
  const stack = roots.filter((r) => alive(r));
  while (stack.length) {
    const p = stack.pop()!;
    if (out.has(p)) continue;
    out.add(p);
    stack.push(...(children.get(p) ?? []));
  }
  return [...out];
}

export function rssKb(pids: number[]): number {
  let sum = 0;
  for (const p of pids) {
    try {
      const m = /^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) sum += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return sum;
}

/** Proportional set size: shared pages (PostgreSQL's shared buffers) split among their users. */
export function pssKb(pids: number[]): number {
  let sum = 0;
  for (const p of pids) {
    try {
      const m = /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      if (m) sum += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return sum;
}

export function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      /* gone */
    }
  }
}

export async function waitGone(pids: number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!pids.some(alive)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !pids.some(alive);
}

/** The postmaster of a data directory (host path), when one runs; its command line names the
 *  directory as its container sees it (`seenAs`). */
export function postmasterPid(dataDir: string, seenAs = dataDir): number | undefined {
  try {
    const pid = Number(fs.readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
    return pid && alive(pid) && cmdline(pid).includes(seenAs) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Processes whose environment holds NAME=VALUE (the runtime marks every process it starts). */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const env = Buffer.concat([Buffer.from([0]), fs.readFileSync(`/proc/${d}/environ`), Buffer.from([0])]);
      if (env.includes(needle)) out.push(Number(d));
    } catch {
      /* gone or not ours to read */
    }
  }
  return out;
}
