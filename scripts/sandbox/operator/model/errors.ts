// Errors as PGO makes them. pkg/errors' New, Errorf and WithStack record where they were called,
// and PGO's logger prints the outermost such place as file="internal/...go:LINE" and func=... on
// the `Reconciler error` line. fmt.Errorf, API errors returned unwrapped and pod exec errors carry
// none: those lines have no file and no func.
import type { Origin } from './log.ts';

export class PgoError extends Error {
  constructor(
    message: string,
    readonly origin?: Origin,
  ) {
    super(message);
  }
}

/** A place in internal/controller/postgrescluster, as PGO's logger prints it. line 0: not read
 *  from PGO's source (see the model's README). */
export function at(file: string, line: number, func: string): Origin {
  return { file: `internal/controller/postgrescluster/${file}:${line}`, func: `postgrescluster.(*Reconciler).${func}` };
}

/** pkg/errors.WithStack: the message unchanged, the origin replaced by this call site. */
export function withStack(e: unknown, origin: Origin): PgoError {
  return new PgoError(e instanceof Error ? e.message : String(e), origin);
}

/** fmt.Errorf: no stack, so no file/func in the log. */
export function plain(message: string): PgoError {
  return new PgoError(message);
}
