// Entry point of the kubectl-pgo bundle: registers the verbs, maps every failure to one line and
// a documented exit code. Nothing else lives here.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitError } from '../lib/cli/exit.ts';
import { withGlobalFlags } from '../lib/cli/global-flags.ts';
import type { Verb } from '../lib/cli/verb.ts';
import { verbs } from './verbs.ts';
import { routeBeforeParsing } from '../lib/passthrough/route.ts';
import { deferToSnapshot } from './snapshot.ts';
import { HELP_WIDTHS, cachedHelp, helpRequests, rememberHelp } from './help-cache.ts';
import { KEPT_LINES, cachedParse, rememberParse } from './parse-cache.ts';

interface Parser {
  y: ReturnType<typeof yargs>;
  /** The verb's exit code and the usage failure, set while parsing. */
  outcome: { code: number; failure?: string };
  /** The width help is wrapped at, once set (setting it costs a cold engine a millisecond). */
  width?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RunVerb = (v: Verb, argv: any) => Promise<number>;

/** The parser with every verb registered; the single executable keeps one ready in its start-up snapshot. */
function buildParser(runVerb: RunVerb = (v, argv) => v.run(argv)): Parser {
  const outcome: Parser['outcome'] = { code: 0 };
  const y = withGlobalFlags(yargs())
    .scriptName('kubectl pgo')
    .usage('Find out why a PGO PostgresCluster is not converging, and fix it safely.\n\nUsage: kubectl pgo <verb> [flags]')
    .strict()
    .demandCommand(1, `error: a verb is required (${(verbs as Verb[]).map((v) => v.command.split(' ')[0]).join(', ')}); see "kubectl pgo --help"`)
    .recommendCommands()
    .help('help')
    .alias('h', 'help')
    .version(false)
    .epilogue(
      'Exit codes: 0 ok; 1 the verb could not run (usage, API, permission, refused); 2 the verb ran and found or left a problem (see each verb\'s help).',
    )
    .fail((msg, err) => {
      if (err) throw err;
      // Throw, not just record: yargs runs the verb's handler after a validation failure (unknown
      // flag, bad choice, extra argument) unless fail() throws - and a verb that writes must not run.
      const line = (msg.startsWith('error:') ? msg : `error: ${msg}`).replace(/\s*\n\s*/g, ' ');
      outcome.failure = line;
      throw new ExitError(`${line}\nSee 'kubectl pgo --help' for usage.`, 1);
    });
  skipHelpCaching(y);
  for (const v of verbs as Verb[]) {
    y.command(v.command, v.describe, v.builder, async (argv) => {
      outcome.code = await runVerb(v, argv);
    });
  }
  return { y, outcome };
}

async function main(args: string[], prebuilt?: Parser): Promise<number> {
  // Completion requests and verbs that are not ours (Crunchy's kubectl-pgo) never reach yargs.
  const routed = await routeBeforeParsing(args, verbs as Verb[]);
  if (routed !== undefined) return routed;
  const width = Math.min(110, process.stdout.columns || 100);
  const help = cachedHelp(args, width);
  if (help !== undefined) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const kept = cachedParse(args);
  if (kept) {
    try {
      return await kept.verb.run(kept.argv);
    } catch (e) {
      return reportFailure(e);
    }
  }
  const parser = prebuilt ?? buildParser();
  const { y, outcome } = parser;
  if (parser.width !== width) y.wrap(width);
  try {
    await y.parseAsync(args);
  } catch (e) {
    return reportFailure(e);
  }
  if (outcome.failure) {
    process.stderr.write(`${outcome.failure}\nSee 'kubectl pgo --help' for usage.\n`);
    return 1;
  }
  return outcome.code;
}

// yargs renders the complete help text after every verb's handler starts, in case the handler asks
// for it later (a third of the start-up time of `version --client`); no handler here does.
function skipHelpCaching(y: unknown): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const usage = (y as any).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

function reportFailure(e: unknown): number {
  if (e instanceof ExitError) {
    const msg = e.message.startsWith('error:') || e.message.startsWith('Error') ? e.message : `error: ${e.message}`;
    process.stderr.write(msg.endsWith('\n') ? msg : `${msg}\n`);
    return e.code;
  }
  const text = e instanceof Error ? e.message.split('\n')[0] : String(e);
  process.stderr.write(`error: ${text}\n`);
  if (process.env.KUBECTL_PGO_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
  return 1;
}

let prebuilt: Parser | undefined;

function run(): void {
  main(hideBin(process.argv), prebuilt).then(exitWhenWritten, (e) => exitWhenWritten(reportFailure(e)));
}

// The verb is done (nothing of it runs on): leave once stdout and stderr have taken every byte
// (their write callbacks come in order, also where they are asynchronous), without the orderly
// tear-down of the engine and its threads that a natural exit waits for.
function exitWhenWritten(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// Building the snapshot: the root's and each verb's help rendered and kept (cmd/help-cache.ts; this
// also compiles yargs' help code for the lines not kept), and a fresh parser kept for the run.
const prepare = async () => {
  const names = (verbs as Verb[]).map((v) => v.command.split(' ')[0]);
  for (const args of helpRequests(names)) {
    for (const width of HELP_WIDTHS) {
      let text: string | undefined;
      await buildParser()
        .y.exitProcess(false)
        .wrap(width)
        .parseAsync(args, {}, (err: unknown, _argv: unknown, output: string) => {
          text = err ? undefined : output;
        });
      if (text) rememberHelp(args, width, text);
    }
  }
  for (const args of KEPT_LINES) {
    let got: { v: Verb; argv: Record<string, unknown> } | undefined;
    const { y, outcome } = buildParser(async (v, argv) => {
      got = { v, argv };
      return 0;
    });
    try {
      await y.exitProcess(false).parseAsync(args);
    } catch {
      got = undefined;
    }
    if (got && !outcome.failure) rememberParse(args, got.v, got.argv);
  }
  prebuilt = buildParser();
  prebuilt.y.wrap(100);
  prebuilt.width = 100;
};
if (!deferToSnapshot(run, prepare)) run();
