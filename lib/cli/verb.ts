// A verb is a thin yargs command: flags and help here, the work in lib/ (imported lazily, so
// `--help` and one verb never pay for the others).
import type { Argv } from 'yargs';

export interface Verb {
  command: string;
  describe: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  builder: (y: Argv<any>) => Argv<any>;
  /** Returns the process exit code. Throw ExitError for a one-line failure. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run: (argv: any) => Promise<number>;
}
