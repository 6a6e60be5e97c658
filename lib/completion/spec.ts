// What can be typed after `kubectl pgo`: read off the verbs' own yargs builders (run against a
// recorder, not yargs), so completion never drifts from the flags the verbs really take.
import { withGlobalFlags } from '../cli/global-flags.ts';
import type { Verb } from '../cli/verb.ts';

export interface FlagSpec {
  /** "--output", "-o" */
  names: string[];
  takesValue: boolean;
  choices?: string[];
  describe?: string;
}

export interface VerbSpec {
  name: string;
  describe: string;
  positionals: { name: string; choices?: string[] }[];
  flags: FlagSpec[];
}

interface Recorded {
  positionals: VerbSpec['positionals'];
  flags: FlagSpec[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOpts = Record<string, any>;

function recorder(into: Recorded): unknown {
  const proxy: unknown = new Proxy(
    {},
    {
      get(_t, prop) {
        return (...args: unknown[]) => {
          if (prop === 'positional') {
            const [name, o] = args as [string, AnyOpts | undefined];
            into.positionals.push({ name, choices: o?.choices?.map(String) });
          } else if (prop === 'option' || prop === 'options') {
            const entries: [string, AnyOpts][] =
              typeof args[0] === 'string' ? [[args[0] as string, (args[1] ?? {}) as AnyOpts]] : Object.entries((args[0] ?? {}) as Record<string, AnyOpts>);
            for (const [name, o] of entries) {
              const aliases = ([] as string[]).concat(o.alias ?? []);
              into.flags.push({
                names: [name, ...aliases].map((n) => (n.length === 1 ? `-${n}` : `--${n}`)),
                takesValue: o.type !== 'boolean' && o.boolean !== true,
                choices: o.choices?.map(String),
                describe: typeof o.describe === 'string' ? o.describe : undefined,
              });
            }
          }
          return proxy;
        };
      },
    },
  );
  return proxy;
}

export function globalFlagSpecs(): FlagSpec[] {
  const rec: Recorded = { positionals: [], flags: [] };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  withGlobalFlags(recorder(rec) as any);
  rec.flags.push({ names: ['--help', '-h'], takesValue: false, describe: 'Show help' });
  return rec.flags;
}

export function verbSpecs(verbs: Verb[]): VerbSpec[] {
  return verbs.map((v) => {
    const rec: Recorded = { positionals: [], flags: [] };
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      v.builder(recorder(rec) as any);
    } catch {
      // A builder that needs real yargs just gets no flag completion.
    }
    return { name: v.command.split(/\s+/)[0], describe: v.describe, ...rec };
  });
}
