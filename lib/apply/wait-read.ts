// A read inside a wait loop, after the write is done. The API server may restart or shed load
// meanwhile: such a failure is waited out (the write stands, the deadline still holds), and one
// that will not pass (forbidden, gone) ends the wait with a line that says the write was made.
import { ExitError } from '../cli/exit.ts';
import { ApiError, NetworkError } from '../kube/errors.ts';

/** Failures that pass by themselves: no answer, a restart, overload. */
export function isTransient(e: unknown): boolean {
  if (e instanceof NetworkError) return e.failure !== 'credentials' && e.failure !== 'tls' && e.failure !== 'dns';
  return e instanceof ApiError && (e.status === 429 || e.status >= 500);
}

export const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/^error: /, '');

/** `read()`, or undefined after a transient failure (said once per distinct message). */
export async function readWhileWaiting<T>(read: () => Promise<T>, written: string, say: (line: string) => void): Promise<T | { failed: string }> {
  try {
    return await read();
  } catch (e) {
    if (!isTransient(e)) {
      throw new ExitError(`error: ${written}, but reading the cluster again to wait for it failed: ${firstLine(e)}`, 1);
    }
    say(`the API server did not answer (${firstLine(e)}); ${written}; looking again`);
    return { failed: firstLine(e) };
  }
}

export const readFailed = (v: unknown): v is { failed: string } => typeof v === 'object' && v !== null && 'failed' in v && Object.keys(v).length === 1;
