// Runs before the verbs are parsed: kubectl's completion helper, and verbs this CLI does not have
// (passed through to Crunchy's kubectl-pgo, or refused with a helpful error). The common path -
// one of our verbs - costs a few string comparisons.
import type { Verb } from '../cli/verb.ts';
import { decide } from './decide.ts';
import { CALLED_AS_PEER_ENV, findPeer, selfPaths } from './find-peer.ts';

/** Returns the exit code when the command line was handled here, undefined when it is ours to parse. */
export async function routeBeforeParsing(args: string[], verbs: Verb[]): Promise<number | undefined> {
  if (args[0] === '__complete') {
    const { completeCommand } = await import('../completion/complete.ts');
    return completeCommand(args.slice(1), verbs);
  }
  const d = decide({
    args,
    ours: [...verbs.map((v) => v.command.split(/\s+/)[0]), 'help'],
    findPeer: () => findPeer({ env: process.env, self: selfPaths() }),
    calledAsPeerBy: process.env[CALLED_AS_PEER_ENV],
  });
  if (d.action === 'ours') return undefined;
  if (d.action === 'refuse') {
    process.stderr.write(`${d.message}\n`);
    return 1;
  }
  const { passThrough } = await import('./run.ts');
  return passThrough(d.peer, args, selfPaths().at(-1)!);
}
