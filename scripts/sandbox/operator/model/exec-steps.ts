// The reconcile steps in which PGO v5.8.9 execs into a database container, with its commands,
// scripts, stdin, revision hashes kept in status, events, log messages and error sites:
// reconcilePatroniDynamicConfiguration (patronictl edit-config, every reconcile),
// reconcilePostgresDatabases (pgAudit, then CREATE DATABASE), reconcilePostgresUsers (Secrets,
// then CREATE/ALTER ROLE), reconcileStanzaCreate (pgbackrest stanza-create) and
// reconcilePGBouncerInPostgreSQL (dropping PgBouncer's objects when spec.proxy is unset).
// Whether an exec succeeds is up to the pod; a failure is returned (or logged) as PGO does.
import { at, withStack } from './errors.ts';
import type { EventRecorder } from './events.ts';
import { isRunning, isTerminating, type Instance, type Observed } from './instances.ts';
import type { KObj } from '../../kube/types.ts';
import type { Kube } from '../../kube/client.ts';
import type { Logger } from './log.ts';
import { CONTAINER_DATABASE, FIELD_MANAGER, LABEL } from './naming.ts';
import { PATH } from './paths.ts';
import { dynamicConfiguration } from './patroni-config.ts';
import { STRICT, goJSON, goSliceString, inAllDatabases, inDatabasesFromQuery, psql, safeHash32, type ExecCall } from './psql.ts';
import type { ClusterSpec } from './spec.ts';
import type { ExecResult } from './switchover.ts';
import { LABEL_PGUSER, specUsers, userSecret } from './user-secrets.ts';

/** A pod exec that can feed stdin (closed after it is written, as PGO's SPDY stream does). */
export type StdinExec = (namespace: string, pod: string, container: string, command: string[], stdin?: string) => Promise<ExecResult>;

export interface StepDeps {
  kube: Kube;
  exec: StdinExec;
  log: Logger;
  events: EventRecorder;
}

// KObj status as the reconcile builds it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Status = any;

/** Instance.IsWritable: Patroni's member status annotation says master (or primary). */
export function isWritable(i: Instance): boolean | undefined {
  if (i.pods.length !== 1) return undefined;
  const raw = i.pods[0].metadata.annotations?.status;
  if (!raw) return undefined;
  try {
    const role = (JSON.parse(raw) as { role?: string }).role;
    return role === undefined ? undefined : role === 'master' || role === 'primary';
  } catch {
    return undefined;
  }
}

/** observedInstances.writablePod: not terminating, writable, its container running. */
function writablePod(o: Observed, container: string): KObj | undefined {
  for (const i of o.forCluster) {
    if (isTerminating(i) !== false) continue;
    if (isWritable(i) !== true) continue;
    if (isRunning(i, container) === true && i.pods.length > 0) return i.pods[0];
  }
  return undefined;
}

const run = (d: StepDeps, pod: KObj, call: ExecCall) => d.exec(pod.metadata.namespace ?? '', pod.metadata.name, CONTAINER_DATABASE, call.command, call.stdin);

/** Runs calls in order until one fails, logging each as PGO's function does. */
async function runLogged(d: StepDeps, log: Logger, pod: KObj, calls: Array<{ call: ExecCall; msg: string }>): Promise<void> {
  for (const { call, msg } of calls) {
    try {
      const r = await run(d, pod, call);
      log.debug(msg, { stdout: r.stdout, stderr: r.stderr });
    } catch (e) {
      const out = e as { stdout?: string; stderr?: string };
      log.debug(msg, { stdout: out.stdout ?? '', stderr: out.stderr ?? '' });
      throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// reconcilePatroniDynamicConfiguration (patroni.go): on every reconcile once bootstrapped.

export async function reconcilePatroniDynamicConfiguration(d: StepDeps, c: ClusterSpec, o: Observed, bootstrapped: boolean): Promise<void> {
  if (!bootstrapped) return;
  const inst = o.forCluster.find((i) => isTerminating(i) === false && isRunning(i, CONTAINER_DATABASE) === true && i.pods.length > 0);
  if (!inst) return;
  const call: ExecCall = { command: ['patronictl', 'edit-config', '--replace=-', '--force'], stdin: goJSON(dynamicConfiguration(c)) };
  try {
    await runLogged(d, d.log, inst.pods[0], [{ call, msg: 'replaced configuration' }]);
  } catch (e) {
    throw withStack(e, at('patroni.go', 207, 'reconcilePatroniDynamicConfiguration'));
  }
}

// ---------------------------------------------------------------------------------------------
// reconcilePostgresDatabases (postgres.go): pgAudit in every database, then the databases.

const PGAUDIT_SQL = 'SET client_min_messages = WARNING; CREATE EXTENSION IF NOT EXISTS pgaudit;';

/** The \copy block PGO feeds its temporary "input" table with: one JSON object a line. */
function copyInput(rows: unknown[]): string {
  return '\nCREATE TEMPORARY TABLE input (id serial, data json);\n\\copy input (data) from stdin with (format text)\n' + rows.map((r) => JSON.stringify(r) + '\n').join('') + '\\.\n';
}

export function createDatabasesSQL(databases: string[]): string {
  return (
    "SET search_path TO '';" +
    copyInput(databases.map((database) => ({ database }))) +
    "\nSELECT pg_catalog.format('CREATE DATABASE %I',\n       pg_catalog.json_extract_path_text(input.data, 'database'))\n  FROM input\n WHERE NOT EXISTS (\n       SELECT 1 FROM pg_catalog.pg_database\n       WHERE datname = pg_catalog.json_extract_path_text(input.data, 'database'))\n ORDER BY input.id\n\\gexec\n"
  );
}

/** The databases spec.users names (sorted, unique), or one named after the cluster. */
function specDatabases(c: ClusterSpec, rawUsers: unknown): string[] {
  if (!Array.isArray(rawUsers)) return c.name.length <= 63 ? [c.name] : [];
  return [...new Set(rawUsers.flatMap((u: { databases?: string[] }) => u.databases ?? []))].sort();
}

/** Hash as PGO computes it here: each command printed, then its stdin. */
const commandThenStdin = (calls: ExecCall[]) => safeHash32(calls.flatMap((x) => [goSliceString(x.command), x.stdin ?? '']));

export async function reconcilePostgresDatabases(d: StepDeps, obj: KObj, c: ClusterSpec, status: Status, o: Observed): Promise<void> {
  const pod = writablePod(o, CONTAINER_DATABASE);
  if (!pod) return;
  const audit = inAllDatabases(PGAUDIT_SQL, { ...STRICT });
  const create = psql(createDatabasesSQL(specDatabases(c, obj.spec?.users)), { ...STRICT });
  const revision = commandThenStdin([audit, create]);
  if (revision === status.databaseRevision) return;
  const log = d.log.with({ pod: pod.metadata.name, revision });
  let auditOK = true;
  try {
    await runLogged(d, log, pod, [{ call: audit, msg: 'enabled pgAudit' }]);
  } catch {
    // PGO assumes the shared library is not loaded yet (a cluster from an older PGO) and goes on.
    auditOK = false;
    await d.events.record(obj, 'Warning', 'pgAuditDisabled', 'Unable to install pgAudit');
  }
  try {
    await runLogged(d, log, pod, [{ call: create, msg: 'created PostgreSQL databases' }]);
  } catch (e) {
    throw withStack(e, at('postgres.go', 420, 'reconcilePostgresDatabases'));
  }
  if (auditOK) status.databaseRevision = revision;
}

// ---------------------------------------------------------------------------------------------
// reconcilePostgresUsers (postgres.go): the user Secrets, then the roles in PostgreSQL.

export function writeUsersSQL(users: Array<{ name: string; databases: string[]; options: string }>, verifiers: Record<string, string>): string {
  const rows = users.map((u) => {
    const postgres = u.name === 'postgres';
    return { databases: postgres ? ['postgres'] : u.databases, options: postgres ? 'LOGIN SUPERUSER' : u.options, username: u.name, verifier: verifiers[u.name] ?? '' };
  });
  return (
    "SET synchronous_commit = LOCAL;SET search_path TO '';" +
    copyInput(rows) +
    'BEGIN;' +
    "\nSELECT pg_catalog.format('CREATE USER %I',\n       pg_catalog.json_extract_path_text(input.data, 'username'))\n  FROM input\n WHERE NOT EXISTS (\n       SELECT 1 FROM pg_catalog.pg_roles\n       WHERE rolname = pg_catalog.json_extract_path_text(input.data, 'username'))\n ORDER BY input.id\n\\gexec\n" +
    "\nSELECT pg_catalog.format('ALTER ROLE %I WITH %s PASSWORD %L',\n       pg_catalog.json_extract_path_text(input.data, 'username'),\n       pg_catalog.json_extract_path_text(input.data, 'options'),\n       pg_catalog.json_extract_path_text(input.data, 'verifier'))\n  FROM input ORDER BY input.id\n\\gexec\n" +
    "\nSELECT pg_catalog.format('GRANT ALL PRIVILEGES ON DATABASE %I TO %I',\n       pg_catalog.json_array_elements_text(\n       pg_catalog.json_extract_path(\n       pg_catalog.json_strip_nulls(input.data), 'databases')),\n       pg_catalog.json_extract_path_text(input.data, 'username'))\n  FROM input ORDER BY input.id\n\\gexec\n" +
    'COMMIT;'
  );
}

export async function reconcilePostgresUsers(d: StepDeps, obj: KObj, c: ClusterSpec, status: Status, o: Observed): Promise<void> {
  const users = specUsers(c, obj.spec?.users);
  const wanted = new Set(users.map((u) => u.name));
  const selector = `${LABEL.cluster}=${c.name},${LABEL_PGUSER}`;
  const existing = new Map<string, KObj>();
  for (const s of (await d.kube.list(PATH.Secret(c.namespace), selector)).items) {
    const user = s.metadata.labels?.[LABEL_PGUSER] ?? '';
    if (!wanted.has(user)) {
      if (s.metadata.ownerReferences?.some((r) => r.controller && r.uid === c.uid)) {
        await d.kube.delete(PATH.Secret(c.namespace, s.metadata.name), { uid: s.metadata.uid, resourceVersion: s.metadata.resourceVersion });
      }
    } else if (s.metadata.name === `${c.name}-pguser-${user}`) existing.set(user, s);
  }
  const verifiers: Record<string, string> = {};
  for (const u of users) {
    const { secret, verifier } = userSecret(c, u, existing.get(u.name));
    await d.kube.apply(PATH.Secret(c.namespace, secret.metadata.name), secret, FIELD_MANAGER);
    verifiers[u.name] = verifier;
  }

  const inst = o.forCluster.find((i) => isTerminating(i) === false && isWritable(i) === true && isRunning(i, CONTAINER_DATABASE) === true && i.pods.length > 0);
  if (!inst) return;
  const pod = inst.pods[0];
  const write = psql(writeUsersSQL(users, verifiers), { ...STRICT });
  const revision = commandThenStdin([write]);
  if (revision === status.usersRevision) return;
  try {
    // PGO's "wrote PostgreSQL users" line carries no pod, unlike the databases' lines.
    await runLogged(d, d.log.with({ revision }), pod, [{ call: write, msg: 'wrote PostgreSQL users' }]);
  } catch (e) {
    throw withStack(e, at('postgres.go', 698, 'reconcilePostgresUsersInPostgreSQL'));
  }
  status.usersRevision = revision;
}

// ---------------------------------------------------------------------------------------------
// reconcilePGBouncerInPostgreSQL (pgbouncer.go): without spec.proxy.pgBouncer, drop its objects.

const PGBOUNCER = { username: '_crunchypgbouncer', namespace: 'pgbouncer' };

export function disablePGBouncerCalls(): ExecCall[] {
  const drop = [
    'SET client_min_messages = WARNING;',
    'SET synchronous_commit = LOCAL;',
    'BEGIN;',
    'DROP FUNCTION IF EXISTS :"namespace".get_auth(username TEXT);',
    'DROP SCHEMA IF EXISTS :"namespace" CASCADE;',
    "SELECT pg_catalog.format('DROP OWNED BY %I CASCADE', :'username')\n WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'username')\n\\gexec",
    'COMMIT;',
  ].join('\n');
  return [
    inAllDatabases(drop, { ...PGBOUNCER, ...STRICT }),
    inDatabasesFromQuery('SELECT pg_catalog.current_database()', 'SET client_min_messages = WARNING; SET synchronous_commit = LOCAL; DROP ROLE IF EXISTS :"username";', {
      username: PGBOUNCER.username,
      ...STRICT,
    }),
  ];
}

/** Only the disabling half: the model runs no PgBouncer, so a spec.proxy.pgBouncer is left alone. */
export async function reconcilePGBouncerInPostgreSQL(d: StepDeps, obj: KObj, status: Status, o: Observed): Promise<void> {
  if (obj.spec?.proxy?.pgBouncer) return;
  const inst = o.forCluster.find((i) => isWritable(i) === true && i.pods.length > 0);
  if (!inst) return;
  const calls = disablePGBouncerCalls();
  // Here PGO hashes each stdin before its command.
  const revision = safeHash32(calls.flatMap((x) => [x.stdin ?? '', goSliceString(x.command)]));
  if (revision === status.proxy?.pgBouncer?.postgresRevision) return;
  try {
    await runLogged(d, d.log.with({ revision }), inst.pods[0], [
      { call: calls[0], msg: 'removed PgBouncer objects' },
      { call: calls[1], msg: 'removed PgBouncer user' },
    ]);
  } catch (e) {
    throw withStack(e, at('pgbouncer.go', 153, 'reconcilePGBouncerInPostgreSQL.func2'));
  }
  status.proxy = { ...(status.proxy ?? {}), pgBouncer: { ...(status.proxy?.pgBouncer ?? {}), postgresRevision: revision } };
}

// ---------------------------------------------------------------------------------------------
// reconcileStanzaCreate (pgbackrest.go): once the cluster is writable, until every repo has one.

const HASH_MISMATCH = 'postgres operator error: pgBackRest config hash mismatch';
const STALE_VOLUMES = 'postgres operator error: pgBackRest stale volume-backed repo configuration';
const STANZA_SCRIPT = [
  '',
  'declare -r hash="$1" stanza="$2" hash_msg="$3" vol_msg="$4" check_repo_cmd="$5"',
  'if [[ "$(< /etc/pgbackrest/conf.d/config-hash)" != "${hash}" ]]; then',
  '    printf >&2 "%s" "${hash_msg}"; exit 1;',
  'elif ! bash -c "${check_repo_cmd}"; then',
  ' \t printf >&2 "%s" "${vol_msg}"; exit 1;',
  'else',
  '    pgbackrest stanza-create --stanza="${stanza}" || pgbackrest stanza-upgrade --stanza="${stanza}"',
  'fi',
  '',
].join('\n');

export function stanzaCreateCommand(c: ClusterSpec, configHash: string): string[] {
  const check = c.repos
    .filter((r) => r.volume)
    .map((r) => `grep ${r.name}-path /etc/pgbackrest/conf.d/pgbackrest_instance.conf`)
    .join(' && ');
  return ['bash', '-ceu', '--', STANZA_SCRIPT, '-', configHash, 'db', HASH_MISMATCH, STALE_VOLUMES, check];
}

/** The PGBackRestReplicaRepoReady condition PGO derives (deferred) from the first repo's status. */
export function replicaRepoReady(c: ClusterSpec, status: Status): { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; observedGeneration: number } | undefined {
  if (!c.repos.length) return undefined;
  const rs = (status.pgbackrest?.repos ?? []).find((r: { name: string }) => r.name === c.repos[0].name);
  const base = { type: 'PGBackRestReplicaRepoReady', observedGeneration: c.generation };
  if (!rs) return { ...base, status: 'Unknown', reason: 'RepoStatusMissing', message: 'Status is missing for the replica creation repo' };
  if (rs.stanzaCreated) return { ...base, status: 'True', reason: 'StanzaCreated', message: 'pgBackRest replica create repo is ready for backups' };
  return { ...base, status: 'False', reason: 'StanzaNotCreated', message: 'pgBackRest replica create repo is not ready for backups' };
}

/**
 * Returns true when it should be retried in 10 s: the pod's configuration is not current yet, or
 * the exec failed (PGO logs that and records an event, but does not fail the reconcile).
 */
export async function reconcileStanzaCreate(d: StepDeps, obj: KObj, c: ClusterSpec, status: Status, o: Observed, configHash: string): Promise<boolean> {
  const writable = o.forCluster.find((i) => isWritable(i) === true);
  const repos: Array<{ stanzaCreated?: boolean }> = status.pgbackrest?.repos ?? [];
  if (!writable || repos.every((r) => r.stanzaCreated)) return false;
  try {
    await d.exec(c.namespace, `${writable.name}-0`, CONTAINER_DATABASE, stanzaCreateCommand(c, configHash));
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    if (stderr === HASH_MISMATCH || stderr === STALE_VOLUMES) return true;
    const err = withStack(new Error(`${e instanceof Error ? e.message : String(e)}: ${stderr}`), at('pgbackrest.go', 2846, 'reconcileStanzaCreate'));
    await d.events.record(obj, 'Warning', 'UnableToCreateStanzas', err.message);
    d.log.with({ reconciler: 'pgBackRest' }).error(err, 'unable to create stanza');
    return true;
  }
  await d.events.record(obj, 'Normal', 'StanzasCreated', 'pgBackRest stanza creation completed successfully');
  for (const r of repos) r.stanzaCreated = true;
  return false;
}
