// What a dump's MANIFEST tells `--from`: the parts that were forbidden or failed when it was made.
// They come back as the snapshot's gaps, so a dump reports them as the live run did (Unknown, the
// missing permission named) instead of passing over what it never held.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import type { Gap } from '../model/types.ts';

export const MANIFEST = 'MANIFEST';

function manifestPath(path: string): string | undefined {
  if (path === '-') return undefined;
  try {
    return join(statSync(path).isDirectory() ? path : dirname(path), MANIFEST);
  } catch {
    return undefined;
  }
}

/** The gaps a dump recorded; [] when there is no MANIFEST (any other dump) or it cannot be read. */
export function gapsOfDump(path: string): Gap[] {
  const file = manifestPath(path);
  if (!file) return [];
  let m: unknown;
  try {
    m = load(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const forbidden = (m as any)?.kind === 'DumpManifest' && Array.isArray((m as any).forbidden) ? (m as any).forbidden : [];
  return forbidden.flatMap((g: Record<string, unknown>) =>
    typeof g?.verb === 'string' && typeof g.resource === 'string' && typeof g.message === 'string'
      ? [{ verb: g.verb, resource: g.resource, message: g.message, ...(typeof g.namespace === 'string' ? { namespace: g.namespace } : {}), ...(typeof g.status === 'number' ? { status: g.status } : {}) }]
      : [],
  );
}
