// How PGO runs SQL in a database container (its postgres.Executor): `psql -Xw --file=-` with the
// SQL on stdin, or a `bash -ceu` loop that runs psql once per database the first query returns.
// The commands, argument order and scripts are PGO v5.8.9's (internal/postgres/exec.go), so the
// sandbox's pods see exactly the exec requests the real operator sends. Also PGO's revision hash,
// which it keeps in status to run each piece of SQL once.

/** One exec into a pod's container: the command and what PGO writes to its stdin. */
export interface ExecCall {
  command: string[];
  stdin?: string;
}

/** psql variables as PGO passes them: `--set=k=v`, sorted (Go map order is random, PGO sorts). */
function setArgs(variables: Record<string, string>): string[] {
  return Object.entries(variables)
    .map(([k, v]) => `--set=${k}=${v}`)
    .sort();
}

/** Executor.Exec: one psql reading SQL from stdin, in the default database. */
export function psql(sql: string, variables: Record<string, string>): ExecCall {
  return { command: ['psql', '-Xw', '--file=-', ...setArgs(variables)], stdin: sql };
}

// The loop PGO runs for "every database": the SQL to run arrives on stdin, the query that lists
// databases is $1, the rest are psql arguments. Written after PGO's script, byte for byte, since
// the pods must see the same bash program.
const IN_DATABASES_SCRIPT = [
  '',
  'sql_target=$(< /dev/stdin)',
  'sql_databases="$1"',
  'shift 1',
  '',
  'databases=$(psql "$@" -Xw -Aqt --file=- <<< "${sql_databases}")',
  'while IFS= read -r database; do',
  '\tPGDATABASE="${database}" psql "$@" -Xw --file=- <<< "${sql_target}"',
  'done <<< "${databases}"',
  '',
].join('\n');

/** Executor.ExecInDatabasesFromQuery. */
export function inDatabasesFromQuery(databases: string, sql: string, variables: Record<string, string>): ExecCall {
  return { command: ['bash', '-ceu', '--', IN_DATABASES_SCRIPT, '-', databases, ...setArgs(variables)], stdin: sql };
}

/** Executor.ExecInAllDatabases: every database that allows connections, template1 too, never template0. */
export function inAllDatabases(sql: string, variables: Record<string, string>): ExecCall {
  const databases = "SET search_path = '';SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND datname NOT IN ('template0')";
  return inDatabasesFromQuery(databases, sql, variables);
}

/** What ON_ERROR_STOP/QUIET every PGO SQL run sets. */
export const STRICT = { ON_ERROR_STOP: 'on', QUIET: 'on' } as const;

/** Go's fmt.Fprint of a []string: `[a b c]`. PGO hashes commands that way. */
export function goSliceString(command: string[]): string {
  return `[${command.join(' ')}]`;
}

// k8s.io/apimachinery/pkg/util/rand.SafeEncodeString's alphabet.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * PGO's safeHash32: FNV-1 (not 1a) over the bytes written, its uint32 printed in decimal, each
 * digit mapped through SafeEncodeString's alphabet.
 */
export function safeHash32(chunks: string[]): string {
  let h = 0x811c9dc5;
  for (const chunk of chunks) {
    for (const b of Buffer.from(chunk, 'utf8')) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  }
  return [...String(h)].map((d) => ALPHANUMS[d.charCodeAt(0) % ALPHANUMS.length]).join('');
}

/** Go's json.Encoder output (sorted keys, HTML-escaped, newline-terminated) for plain data. */
export function goJSON(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x !== null && typeof x === 'object') {
      return Object.fromEntries(Object.keys(x as Record<string, unknown>).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])]));
    }
    return x;
  };
  return JSON.stringify(sort(v)).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026') + '\n';
}
