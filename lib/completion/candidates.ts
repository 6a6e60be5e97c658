// Completion candidates for the words typed after `kubectl pgo`, in the format kubectl expects
// from kubectl_complete-<plugin> (cobra's): "value\tdescription" lines, then ":<directive>".
import { CRUNCHY_VERBS, firstVerb } from '../passthrough/decide.ts';
import type { FlagSpec, VerbSpec } from './spec.ts';

export const DIRECTIVE = { default: 0, error: 1, noSpace: 2, noFileComp: 4 } as const;

/** Names from the cluster, each allowed to fail (then: no candidates). */
export interface NameSources {
  clusters(): Promise<string[]>;
  instances(cluster?: string): Promise<string[]>;
  namespaces(): Promise<string[]>;
  contexts(): Promise<string[]>;
}

export interface Completion {
  items: string[];
  directive: number;
}

const FILE_FLAGS = new Set(['--kubeconfig', '--filename', '--from', '-f', '--backup-dir']);

function flagByName(specs: FlagSpec[], word: string): FlagSpec | undefined {
  return specs.find((f) => f.names.includes(word));
}

/** Positionals typed so far after the verb, skipping flags and their values. */
function positionalsAfterVerb(words: string[], verb: string, flags: FlagSpec[]): string[] {
  const out: string[] = [];
  let seenVerb = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith('-')) {
      const f = flagByName(flags, w.split('=')[0]);
      if (f?.takesValue && !w.includes('=')) i++;
      continue;
    }
    if (!seenVerb && w === verb) {
      seenVerb = true;
      continue;
    }
    if (seenVerb) out.push(w);
  }
  return out;
}

async function namesFor(kind: string, sources: NameSources, cluster: string | undefined): Promise<string[]> {
  if (/namespace/.test(kind)) return sources.namespaces();
  if (/context/.test(kind)) return sources.contexts();
  if (kind === '--to' || /instance|target/.test(kind)) return sources.instances(cluster);
  if (/cluster/i.test(kind)) return sources.clusters();
  return [];
}

/** Values a flag's help lists as "a | b | c" or "Output format: a|b|c" (flags declared as plain strings). */
export function choicesFromDescribe(describe: string | undefined): string[] | undefined {
  const m = /^(?:[^:|]*:\s*)?([a-z][\w-]*(?:\s*\|\s*[a-z][\w-]*)+)/.exec((describe ?? '').replace(/\s*\([^)]*\)/g, ''));
  return m ? m[1].split('|').map((v) => v.trim()) : undefined;
}

const withPrefix = (items: string[], prefix: string) => items.filter((i) => i.split('\t')[0].startsWith(prefix));

/**
 * @param words the words after `pgo`; the last one is the word being completed (may be '').
 * @param peerVerbs whether Crunchy's kubectl-pgo is there to take its verbs.
 */
export async function candidates(words: string[], verbs: VerbSpec[], globals: FlagSpec[], sources: NameSources, peerVerbs = false): Promise<Completion> {
  const typed = words.slice(0, -1);
  const cur = words.at(-1) ?? '';
  const verbName = firstVerb(typed);
  const verb = verbs.find((v) => v.name === verbName && !v.name.startsWith('_'));
  const flags = [...(verb?.flags ?? []), ...globals];
  const prev = typed.at(-1);
  const clusterTyped = verb ? positionalsAfterVerb(typed, verb.name, flags)[0] : undefined;

  // The value of a flag: "--namespace <TAB>" or "--namespace=<TAB>".
  const eq = cur.startsWith('--') && cur.includes('=') ? cur.indexOf('=') : -1;
  const valueOf = eq >= 0 ? flagByName(flags, cur.slice(0, eq)) : prev?.startsWith('-') && !prev.includes('=') ? flagByName(flags, prev) : undefined;
  if (valueOf?.takesValue) {
    const prefix = eq >= 0 ? cur.slice(0, eq + 1) : '';
    const partial = eq >= 0 ? cur.slice(eq + 1) : cur;
    if (valueOf.names.some((n) => FILE_FLAGS.has(n))) return { items: [], directive: DIRECTIVE.default };
    const values = valueOf.choices ?? choicesFromDescribe(valueOf.describe) ?? (await namesFor(valueOf.names[0], sources, clusterTyped));
    return { items: withPrefix(values, partial).map((v) => prefix + v), directive: DIRECTIVE.noFileComp };
  }

  if (cur.startsWith('-')) {
    const items = flags.flatMap((f) => f.names.filter((n) => n.startsWith('--')).map((n) => (f.describe ? `${n}\t${f.describe}` : n)));
    return { items: withPrefix(items, cur), directive: DIRECTIVE.noFileComp };
  }

  if (!verbName) {
    const ours = verbs.filter((v) => !v.name.startsWith('_')).map((v) => `${v.name}\t${v.describe}`);
    const theirs = peerVerbs ? CRUNCHY_VERBS.map((v) => `${v}\t(Crunchy Data's kubectl-pgo)`) : [];
    return { items: withPrefix([...ours, ...theirs], cur), directive: DIRECTIVE.noFileComp };
  }
  if (!verb) return { items: [], directive: DIRECTIVE.noFileComp };

  const index = positionalsAfterVerb(typed, verb.name, flags).length;
  const pos = verb.positionals[index];
  if (!pos) return { items: [], directive: DIRECTIVE.noFileComp };
  const values = pos.choices ?? (await namesFor(pos.name, sources, clusterTyped));
  return { items: withPrefix(values, cur), directive: DIRECTIVE.noFileComp };
}

export function format(c: Completion): string {
  return [...c.items, `:${c.directive}`].join('\n') + '\n';
}
