// `kubectl pgo --help` and `kubectl pgo <verb> --help`, rendered by yargs itself while the start-up
// snapshot is built (cmd/main.ts), for the wrap widths a run asks for most: the executable prints
// the text without laying out yargs' usage in a cold engine (most of `--help`'s own time). Any
// other command line, width or a locale yargs might translate into goes through yargs as before.

/** Widths main() wraps help at: a pipe (100), a terminal of 80 columns, one of 110 or more. */
export const HELP_WIDTHS = [80, 100, 110];

const texts = new Map<string, string>();
const key = (args: readonly string[], width: number) => `${width}\0${args.join('\0')}`;

/** The command lines whose help is kept: the root's and each verb's, with --help or -h. */
export function helpRequests(verbNames: readonly string[]): string[][] {
  const flags = ['--help', '-h'];
  return [...flags.map((f) => [f]), ...verbNames.flatMap((v) => flags.map((f) => [v, f]))];
}

export function rememberHelp(args: readonly string[], width: number, text: string): void {
  // -h and --help print the same text: one string held for both.
  const same = [...texts.values()].find((t) => t === text);
  texts.set(key(args, width), same ?? text);
}

/** yargs reads a locale from these; only English (or none) is known to print the text kept. */
function englishLocale(env: NodeJS.ProcessEnv): boolean {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE;
  return !locale || /^(en|C|POSIX)([_.@-]|$)/.test(locale);
}

/** The text yargs prints for these arguments at this width (without console.log's newline), if kept. */
export function cachedHelp(args: readonly string[], width: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (texts.size === 0 || args.length === 0 || args.length > 2 || !englishLocale(env)) return undefined;
  return texts.get(key(args, width));
}
