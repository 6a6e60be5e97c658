// Finds Crunchy Data's kubectl-pgo: $KUBECTL_PGO_CRUNCHY, else the first kubectl-pgo on PATH that
// is not this very program (real paths compared, so Krew's symlinks do not fool it).
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export interface PeerSearch {
  env: NodeJS.ProcessEnv;
  /** Paths this program runs as (the executable, or the bundle under node); compared by real path. */
  self: string[];
  platform?: NodeJS.Platform;
}

export const PEER_ENV = 'KUBECTL_PGO_CRUNCHY';
/** Set in the environment of a peer we start, so a copy of ourselves does not pass the verb back. */
export const CALLED_AS_PEER_ENV = 'KUBECTL_PGO_PASSTHROUGH_FROM';

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // ENOTDIR, EACCES: not a usable candidate
  }
}

function isExecutableFile(p: string, windows: boolean): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (!windows) accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findPeer(s: PeerSearch): string | undefined {
  const windows = (s.platform ?? process.platform) === 'win32';
  // Our own real paths are only needed once a candidate exists (most runs find none).
  let selves: Set<string> | undefined;
  const notSelf = (p: string) => {
    // Most PATH directories have no kubectl-pgo: a stat that does not throw is the cheap way to say so.
    if (!exists(p)) return false;
    const r = real(p);
    selves ??= new Set(s.self.map(real).filter((x): x is string => x !== undefined));
    return r !== undefined && !selves.has(r) && isExecutableFile(r, windows);
  };
  const explicit = s.env[PEER_ENV];
  if (explicit) return notSelf(explicit) ? explicit : undefined;
  const names = windows ? ['kubectl-pgo.exe', 'kubectl-pgo.cmd', 'kubectl-pgo.bat', 'kubectl-pgo'] : ['kubectl-pgo'];
  const sep = windows ? ';' : ':';
  for (const dir of (s.env.PATH ?? s.env.Path ?? '').split(sep)) {
    if (!dir) continue;
    for (const n of names) {
      const candidate = path.join(dir, n);
      if (notSelf(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The paths this process runs as: the single executable, or node plus the bundle it runs. */
export function selfPaths(): string[] {
  const out = [process.execPath];
  if (process.argv[1]) out.push(process.argv[1]);
  return out;
}
