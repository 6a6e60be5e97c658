// Which verb a command line names, and what to do with a verb this kubectl-pgo does not have.
// Pure and cheap: it runs before anything else is loaded.

/** The verbs of Crunchy Data's own kubectl-pgo that this CLI does not have. */
export const CRUNCHY_VERBS = ['backup', 'create', 'delete', 'restore', 'show', 'start', 'stop', 'support'] as const;

/** Global flags that take a value as the next word (kubectl's spelling). */
const VALUE_FLAGS = new Set([
  '--kubeconfig',
  '--context',
  '-n',
  '--namespace',
  '--request-timeout',
  '--color',
  '--cluster',
  '--user',
  '-s',
  '--server',
  '--token',
  '--certificate-authority',
  '--as',
  '--as-group',
  '--as-uid',
]);
const HELP_FLAGS = new Set(['-h', '--help']);

/** The first word that is neither a flag nor a flag's value; undefined when there is none or help was asked first. */
export function firstVerb(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return args[i + 1];
    if (HELP_FLAGS.has(a)) return undefined;
    if (a.startsWith('-')) {
      if (!a.includes('=') && VALUE_FLAGS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

export type Decision =
  | { action: 'ours' }
  | { action: 'passthrough'; verb: string; peer: string }
  | { action: 'refuse'; verb: string; message: string };

export interface DecideInput {
  args: string[];
  /** Verbs this CLI answers itself (including help-like words). */
  ours: string[];
  /** Crunchy's kubectl-pgo found on PATH (not ourselves), if any. Only looked up when needed. */
  findPeer: () => string | undefined;
  /** Set when a kubectl-pgo of ours started us as its peer: passing through again would loop. */
  calledAsPeerBy?: string;
}

export function decide(input: DecideInput): Decision {
  const verb = firstVerb(input.args);
  if (verb === undefined || input.ours.includes(verb)) return { action: 'ours' };
  const ours = input.ours.filter((v) => !v.startsWith('_') && v !== 'help');
  const crunchy = (CRUNCHY_VERBS as readonly string[]).includes(verb);
  if (crunchy) {
    if (input.calledAsPeerBy) {
      return {
        action: 'refuse',
        verb,
        message:
          `error: "${verb}" is a verb of Crunchy Data's kubectl-pgo, but the kubectl-pgo at ${input.calledAsPeerBy} passed it to this one, ` +
          'which is another copy of the same tool (not Crunchy\'s); remove one of them from PATH',
      };
    }
    const peer = input.findPeer();
    if (peer) return { action: 'passthrough', verb, peer };
    return {
      action: 'refuse',
      verb,
      message: [
        `error: "${verb}" is a verb of Crunchy Data's kubectl-pgo, which is not on PATH.`,
        `This kubectl pgo (a different plugin of the same name) has: ${ours.join(', ')}.`,
        `Crunchy's verbs (${CRUNCHY_VERBS.join(', ')}) are passed through to its kubectl-pgo when that is on PATH after this one,`,
        'or named by KUBECTL_PGO_CRUNCHY=/path/to/kubectl-pgo.',
      ].join('\n'),
    };
  }
  const near = closest(verb, ours);
  return {
    action: 'refuse',
    verb,
    message: [
      `error: unknown verb "${verb}" for "kubectl pgo"${near ? `; did you mean "${near}"?` : ''}`,
      `Verbs: ${ours.join(', ')}. Crunchy Data's kubectl-pgo verbs (${CRUNCHY_VERBS.join(', ')}) are passed through to it when it is on PATH.`,
    ].join('\n'),
  };
}

/** The nearest verb within two edits, for typos. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}
