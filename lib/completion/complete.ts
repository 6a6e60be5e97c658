// `kubectl-pgo __complete <words>`: what kubectl_complete-pgo runs when kubectl completes
// `kubectl pgo ...`, and what the shell scripts of `kubectl pgo completion` call.
import { spawn } from 'node:child_process';
import { globalFlagsOf } from '../cli/global-flags.ts';
import type { Verb } from '../cli/verb.ts';
import { CRUNCHY_VERBS, firstVerb } from '../passthrough/decide.ts';
import { CALLED_AS_PEER_ENV, findPeer, selfPaths } from '../passthrough/find-peer.ts';
import { apiSources } from './api-sources.ts';
import { candidates, format } from './candidates.ts';
import { globalFlagSpecs, verbSpecs } from './spec.ts';

/** The global flags typed so far: where and as whom to ask the cluster for names (kubectl's connection flags). */
export function flagsFromWords(words: string[]) {
  const raw: Record<string, string | string[] | boolean> = {};
  const valueNames: Record<string, string> = {
    '--kubeconfig': 'kubeconfig',
    '--context': 'context',
    '-n': 'namespace',
    '--namespace': 'namespace',
    '--cluster': 'cluster',
    '--user': 'user',
    '-s': 'server',
    '--server': 'server',
    '--token': 'token',
    '--certificate-authority': 'certificate-authority',
    '--as': 'as',
    '--as-uid': 'as-uid',
    '--as-group': 'as-group',
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const eq = w.indexOf('=');
    const name = eq >= 0 ? w.slice(0, eq) : w;
    if (name === '--insecure-skip-tls-verify') raw['insecure-skip-tls-verify'] = eq < 0 || w.slice(eq + 1) !== 'false';
    if (name === '--disable-compression') raw['disable-compression'] = eq < 0 || w.slice(eq + 1) !== 'false';
    const key = valueNames[name];
    if (!key) continue;
    const value = eq >= 0 ? w.slice(eq + 1) : words[i + 1];
    if (eq < 0) i++;
    if (value === undefined) continue;
    if (key === 'as-group') raw[key] = [...((raw[key] as string[] | undefined) ?? []), value];
    else raw[key] = value;
  }
  return globalFlagsOf(raw);
}

function relay(peer: string, words: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(peer, ['__complete', ...words], { stdio: ['ignore', 'inherit', 'ignore'], env: { ...process.env, [CALLED_AS_PEER_ENV]: selfPaths().at(-1)! } });
    child.on('error', () => {
      process.stdout.write(':4\n');
      resolve(0);
    });
    child.on('exit', () => resolve(0));
  });
}

export async function completeCommand(words: string[], verbs: Verb[]): Promise<number> {
  const all = words.length ? words : [''];
  const peer = process.env[CALLED_AS_PEER_ENV] ? undefined : findPeer({ env: process.env, self: selfPaths() });
  const verb = firstVerb(all.slice(0, -1));
  if (peer && verb && (CRUNCHY_VERBS as readonly string[]).includes(verb)) return relay(peer, all);
  const c = await candidates(all, verbSpecs(verbs), globalFlagSpecs(), apiSources(flagsFromWords(all.slice(0, -1))), Boolean(peer));
  process.stdout.write(format(c));
  return 0;
}
