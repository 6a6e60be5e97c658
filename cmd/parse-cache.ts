// Command lines that hold nothing a user varies (no file, cluster or namespace name): yargs makes
// the same argv of the same words every time (no option reads the environment), so the single
// executable keeps the argv yargs made of each while the start-up snapshot was built
// (cmd/main.ts) and runs the verb with a copy of it - a cold engine spends ~5 ms parsing with
// yargs, about a tenth of `version --client`. Every other line is parsed by yargs as before.
import type { Verb } from '../lib/cli/verb.ts';

const OUTPUTS = (line: string[], formats: string[]) => [line, ...formats.map((f) => [...line, '-o', f])];

export const KEPT_LINES: string[][] = [
  ...OUTPUTS(['version'], ['json', 'yaml']),
  ...OUTPUTS(['version', '--client'], ['json', 'yaml']),
  ...OUTPUTS(['status'], ['wide', 'json', 'yaml']),
  ...OUTPUTS(['status', '-A'], ['wide', 'json', 'yaml']),
];

interface Kept {
  verb: Verb;
  argv: Record<string, unknown>;
}

const kept = new Map<string, Kept>();
const key = (args: readonly string[]) => args.join('\0');

export function rememberParse(args: readonly string[], verb: Verb, argv: Record<string, unknown>): void {
  kept.set(key(args), { verb, argv: structuredClone(argv) });
}

/** The verb and a fresh copy of the argv yargs made of exactly these words, if kept. */
export function cachedParse(args: readonly string[]): Kept | undefined {
  const k = kept.get(key(args));
  return k && { verb: k.verb, argv: structuredClone(k.argv) };
}
