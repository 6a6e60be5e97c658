// Nothing is written without a yes: a prompt when a person is at a terminal, --yes otherwise.
import { createInterface } from 'node:readline';
import { ExitError } from '../cli/exit.ts';
import type { IO } from '../cli/io.ts';

export interface ConfirmOptions {
  yes: boolean;
  /** Shown in the refusal, e.g. "kubectl pgo heal hippo -n db". */
  verb: string;
}

/** True when the user agreed. Throws ExitError(1) when no one can be asked and --yes is missing. */
export async function confirm(io: IO, question: string, opts: ConfirmOptions): Promise<boolean> {
  if (opts.yes) return true;
  const stdin = io.stdin;
  if (!stdin || !stdin.isTTY) {
    throw new ExitError(
      `error: refusing to change anything without confirmation: stdin is not a terminal. Re-run with --yes to apply, or with --dry-run=client to only print the plan (${opts.verb})`,
      1,
    );
  }
  io.err(`${question} [y/N]: `);
  const answer = await readLine(stdin);
  return /^(y|yes)$/i.test(answer.trim());
}

function readLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stdin, terminal: false });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!done) resolve('');
    });
  });
}
