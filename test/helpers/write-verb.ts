// The world a writing verb (heal, switchover) runs against in unit tests: the fake cluster as its
// client, the real checks, a clock that only moves when the verb sleeps, and a backup directory
// of its own (removed by done()).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WriteVerbDeps } from '../../lib/apply/writing-verb.ts';
import { runChecks } from '../../lib/checks/index.ts';
import type { GlobalFlags } from '../../lib/cli/global-flags.ts';
import { buildClusterViews } from '../../lib/view/cluster-view.ts';
import type { World } from './heal-world.ts';

export const flags = { namespace: 'db', allNamespaces: false, color: 'never' as const };

/** `parse` is the verb's argument parser; `extra` adds verb-specific deps (e.g. switchover's random). */
export function writeVerbSetup<A, X extends object = object>(
  world: World,
  name: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  parse: (argv: any, flags: GlobalFlags) => A,
  extra?: X,
) {
  let clock = Date.parse('2026-11-25T19:00:00Z');
  const deps: WriteVerbDeps & X = {
    connect: async () => world,
    collect: async () => world.snapshot(),
    buildClusterViews,
    runChecks,
    now: () => new Date(clock),
    sleep: async (ms: number) => {
      clock += ms;
    },
    ...(extra as X),
  };
  const dir = mkdtempSync(path.join(tmpdir(), `kpgo-${name}-`));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const args = (argv: any) => parse({ cluster: 'hippo', backupDir: dir, ...argv }, flags);
  return { deps, dir, args, done: () => rmSync(dir, { recursive: true }) };
}
