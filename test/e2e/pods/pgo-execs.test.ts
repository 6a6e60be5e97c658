// Every exec PGO v5.8.9 runs in a database or repo-host pod succeeds in the sandbox as in a real
// pod, through real `kubectl exec` (apiserver -> kwok -> the pod's own view of its volumes), with
// PGO's arguments and stdin; each test checks the effect. The commands and scripts are written
// here from PGO's source (file named at each) and from the recorded operator log
// (../shared/fixtures/pgo/v5.8.9/recorded/operator.log); PGO's code is not copied.
// The cluster: the recorded PGO objects (two instances + the pgBackRest repo host), with the TLS
// Secrets PGO would make (test/helpers/pgo-certs.ts). Needs `npm run sandbox -- up --pods`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import crypto from 'node:crypto';
import { createFixtureCluster, databases, execDb, getPod, requireFreeSlots, waitForLeader, type FixtureCluster } from '../../helpers/pods.ts';
import { clusterSecrets } from '../../helpers/pgo-certs.ts';
import { recordedHealthy } from '../../helpers/pgo-cluster.ts';
import { api, deleteNamespace, kubectl, uniqueName, waitFor, type RunResult } from '../../helpers/sandbox.ts';

const ns = uniqueName('e2e-pgo-execs');
let fc: FixtureCluster;
let primary = '';
let replica = '';
const repoHost = 'hippo-repo-host-0';

const PSQL_VARS = ['--set=ON_ERROR_STOP=on', '--set=QUIET=on'];

/** internal/postgres/exec.go (Executor.Exec): `psql -Xw --file=-` with the SQL on stdin, sorted --set variables. */
function psqlExec(pod: string, sql: string, vars: Record<string, string> = {}): Promise<RunResult> {
  const sets = Object.entries({ ...vars, ON_ERROR_STOP: 'on', QUIET: 'on' }).map(([k, v]) => `--set=${k}=${v}`).sort();
  return execDb(ns, pod, ['psql', '-Xw', '--file=-', ...sets], { input: sql });
}

// internal/postgres/exec.go (ExecInDatabasesFromQuery): bash reads the SQL to run from stdin, its
// first argument is a query listing databases, the rest go to every psql call.
const IN_DATABASES_SCRIPT = `
target_sql="$(< /dev/stdin)"
list_sql="$1"; shift
listed=$(psql "$@" -Xw -Aqt --file=- <<< "$list_sql")
while IFS= read -r db; do
  PGDATABASE="$db" psql "$@" -Xw --file=- <<< "$target_sql"
done <<< "$listed"
`;
// internal/postgres/exec.go (ExecInAllDatabases): every database that allows connections but template0.
const ALL_DATABASES = `SET search_path = '';SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND datname NOT IN ('template0')`;

function execInDatabases(pod: string, listQuery: string, sql: string, vars: Record<string, string>): Promise<RunResult> {
  const sets = Object.entries({ ...vars, ON_ERROR_STOP: 'on', QUIET: 'on' }).map(([k, v]) => `--set=${k}=${v}`).sort();
  return execDb(ns, pod, ['bash', '-ceu', '--', IN_DATABASES_SCRIPT, '-', listQuery, ...sets], { input: sql });
}

async function sql(pod: string, query: string, db = 'postgres'): Promise<string> {
  const r = await execDb(ns, pod, ['psql', '-Xw', '-d', db, '-Atc', query]);
  if (r.code !== 0) throw new Error(`psql on ${pod}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function ok(r: RunResult, what: string): void {
  assert.is(r.code, 0, `${what}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
}

/** `kubectl exec` into the repo host's pgbackrest container. */
function execRepo(args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  return kubectl(['exec', '-n', ns, repoHost, '-c', 'pgbackrest', '--', ...args], { timeoutMs: opts.timeoutMs ?? 120_000 });
}

/** A SCRAM-SHA-256 verifier, the form PGO stores and passes as `verifier` (internal/postgres/password). */
function scramVerifier(password: string): string {
  const salt = crypto.randomBytes(16);
  const salted = crypto.pbkdf2Sync(password, salt, 4096, 32, 'sha256');
  const hmac = (k: Buffer, s: string) => crypto.createHmac('sha256', k).update(s).digest();
  const stored = crypto.createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  return `SCRAM-SHA-256$4096:${salt.toString('base64')}$${stored.toString('base64')}:${hmac(salted, 'Server Key').toString('base64')}`;
}

async function configHash(): Promise<string> {
  const r = await api<any>('GET', `/api/v1/namespaces/${ns}/configmaps/hippo-pgbackrest-config`);
  return r.body.data['config-hash'];
}

// internal/pgbackrest/pgbackrest.go (StanzaCreateOrUpgrade), as the recorded log shows v5.8.9 run
// it: bash with the expected config hash, the stanza, two error messages and a repo check command.
const STANZA_SCRIPT = `
declare -r want_hash="$1" stanza="$2" hash_message="$3" volume_message="$4" repo_check="$5"
if [[ "$(< /etc/pgbackrest/conf.d/config-hash)" != "$want_hash" ]]; then
  printf >&2 '%s' "$hash_message"; exit 1
elif ! bash -c "$repo_check"; then
  printf >&2 '%s' "$volume_message"; exit 1
else
  pgbackrest stanza-create --stanza="$stanza" || pgbackrest stanza-upgrade --stanza="$stanza"
fi
`;
const HASH_MISMATCH = 'postgres operator error: pgBackRest config hash mismatch';
function stanzaCreate(pod: string, hash: string): Promise<RunResult> {
  return execDb(ns, pod, ['bash', '-ceu', '--', STANZA_SCRIPT, '-', hash, 'db', HASH_MISMATCH,
    'postgres operator error: pgBackRest stale volume-backed repo configuration',
    'grep repo1-path /etc/pgbackrest/conf.d/pgbackrest_instance.conf'], { timeoutMs: 120_000 });
}

async function leaderOf(): Promise<string | undefined> {
  const r = await api<any>('GET', `/api/v1/namespaces/${ns}/endpoints/hippo-ha`);
  return r.body?.metadata?.annotations?.leader;
}

test.after(async () => {
  if (fc) await deleteNamespace(ns);
});

test('the cluster with its repo host runs: Patroni elects a leader, the pgBackRest servers listen', async () => {
  await requireFreeSlots(2);
  const rec = recordedHealthy('v5.8.9');
  const conf = rec.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hippo-pgbackrest-config') as any;
  const clusterUid = /tls-server-auth = pgbackrest@([0-9a-f-]+)=/.exec(conf.data['pgbackrest-server.conf'])![1];
  const instances = rec.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels?.['postgres-operator.crunchydata.com/data'] === 'postgres').map((o) => o.metadata.name);
  const t0 = Date.now();
  fc = await createFixtureCluster(ns, 'v5.8.9', {
    repoHost: true,
    before: clusterSecrets({ namespace: ns, cluster: 'hippo', clusterUid, instances, repoHostPod: repoHost }),
  });
  ({ primary, replicas: [replica] } = await waitForLeader(fc, 180_000));
  console.log(`    2-member cluster ready (leader + streaming replica) ${((Date.now() - t0) / 1000).toFixed(1)} s after the objects were created`);
  // Each pod's server answers on its own address, by the DNS name PGO's configuration uses.
  for (const pod of [repoHost, primary, replica]) {
    const r = await waitFor(`pgbackrest server of ${pod}`, async () => {
      const x = await kubectl(['exec', '-n', ns, repoHost, '-c', 'pgbackrest', '--', 'pgbackrest', 'server-ping',
        `--tls-server-address=${pod}.hippo-pods.${ns}.svc.cluster.local.`]);
      return x.code === 0 ? x : undefined;
    }, { timeoutMs: 60_000 });
    ok(r, `server-ping ${pod}`);
  }
});

test('each container sees its volumes at their paths; exec stdin ends when the client has sent it', async () => {
  const r = await execDb(ns, primary, ['bash', '-c',
    'cat /etc/pgbackrest/conf.d/config-hash; echo; grep -c postgres-operator /etc/database-containerinfo/labels; ' +
    'ls /pgdata /etc/patroni /pgconf/tls | tr "\\n" " "; test -w /tmp && test ! -e /etc/pgbackrest.conf && echo views-ok']);
  ok(r, 'look around');
  assert.ok(r.stdout.startsWith(await configHash()), r.stdout);
  for (const want of ['pg16', '~postgres-operator_cluster.yaml', 'replication', 'tls.crt', 'views-ok']) assert.ok(r.stdout.includes(want), `${want} in ${r.stdout}`);
  const repo = await execRepo(['ls', '/pgbackrest/repo1']);
  ok(repo, 'ls repo');
  // Any command reads its stdin to the end, not only psql/patronictl.
  const t = Date.now();
  const stdin = await execDb(ns, primary, ['bash', '-c', 'x="$(< /dev/stdin)"; printf "%s" "${#x}"'], { input: 'a'.repeat(1000) });
  ok(stdin, 'bash $(< /dev/stdin)');
  assert.is(stdin.stdout, '1000');
  assert.ok(Date.now() - t < 15_000, `stdin ended in ${Date.now() - t} ms`);
});

test('patronictl list (internal/patroni/api.go GetTimeline) names the leader, running, with its timeline', async () => {
  const r = await execDb(ns, primary, ['patronictl', 'list']);
  ok(r, 'patronictl list');
  assert.match(r.stdout, /\|\s+Leader\s+\|\s+running\s+\|\s+\d+\s+\|/);
});

test('patronictl edit-config --replace=- --force (ReplaceConfiguration) with PGO\'s JSON on stdin', async () => {
  const rec = recordedHealthy('v5.8.9');
  const dcs = JSON.parse(rec.find((o) => o.kind === 'Endpoints' && o.metadata.name === 'hippo-ha-config')!.metadata.annotations!.config);
  dcs.postgresql.parameters.work_mem = '5MB';
  const r = await execDb(ns, primary, ['patronictl', 'edit-config', '--replace=-', '--force'], { input: JSON.stringify(dcs) + '\n' });
  ok(r, 'edit-config');
  assert.is(r.stderr, '', 'PGO treats any stderr as a failure');
  const cfg = await api<any>('GET', `/api/v1/namespaces/${ns}/endpoints/hippo-ha-config`);
  assert.is(JSON.parse(cfg.body.metadata.annotations.config).postgresql.parameters.work_mem, '5MB');
  await waitFor('work_mem reloaded on the primary', async () => (await sql(primary, 'SHOW work_mem')) === '5MB', { timeoutMs: 45_000 });
});

test('pgAudit (internal/pgaudit/postgres.go): the extension in every database', async () => {
  assert.is(await sql(primary, 'SHOW shared_preload_libraries'), 'pgaudit');
  const r = await execInDatabases(primary, ALL_DATABASES, 'SET client_min_messages = WARNING; CREATE EXTENSION IF NOT EXISTS pgaudit;', {});
  ok(r, 'pgaudit script');
  for (const db of ['postgres', 'template1']) assert.is(await sql(primary, "SELECT count(*) FROM pg_extension WHERE extname = 'pgaudit'", db), '1', db);
});

test('databases and users (internal/postgres/databases.go, users.go): \\copy from the script, \\gexec', async () => {
  const dbSql = `SET search_path TO '';
CREATE TEMPORARY TABLE input (id serial, data json);
\\copy input (data) from stdin with (format text)
{"database":"zoo"}
\\.
SELECT pg_catalog.format('CREATE DATABASE %I', pg_catalog.json_extract_path_text(input.data, 'database'))
  FROM input WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_database
  WHERE datname = pg_catalog.json_extract_path_text(input.data, 'database')) ORDER BY input.id
\\gexec
`;
  ok(await psqlExec(primary, dbSql), 'databases script');
  assert.is(await sql(primary, "SELECT count(*) FROM pg_database WHERE datname = 'zoo'"), '1');

  const user = { databases: ['zoo'], options: 'CREATEDB', username: 'rhino', verifier: scramVerifier('secret') };
  const userSql = `SET synchronous_commit = LOCAL;SET search_path TO '';
CREATE TEMPORARY TABLE input (id serial, data json);
\\copy input (data) from stdin with (format text)
${JSON.stringify(user)}
\\.
BEGIN;
SELECT pg_catalog.format('CREATE USER %I', pg_catalog.json_extract_path_text(input.data, 'username'))
  FROM input WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
  WHERE rolname = pg_catalog.json_extract_path_text(input.data, 'username')) ORDER BY input.id
\\gexec
SELECT pg_catalog.format('ALTER ROLE %I WITH %s PASSWORD %L', pg_catalog.json_extract_path_text(input.data, 'username'),
  pg_catalog.json_extract_path_text(input.data, 'options'), pg_catalog.json_extract_path_text(input.data, 'verifier'))
  FROM input ORDER BY input.id
\\gexec
SELECT pg_catalog.format('GRANT ALL PRIVILEGES ON DATABASE %I TO %I',
  pg_catalog.json_array_elements_text(pg_catalog.json_extract_path(pg_catalog.json_strip_nulls(input.data), 'databases')),
  pg_catalog.json_extract_path_text(input.data, 'username')) FROM input ORDER BY input.id
\\gexec
COMMIT;`;
  ok(await psqlExec(primary, userSql), 'users script');
  assert.is(await sql(primary, "SELECT rolcanlogin::text || rolcreatedb::text || (rolpassword LIKE 'SCRAM-SHA-256$%')::text FROM pg_authid WHERE rolname = 'rhino'"), 'truetruetrue');
  assert.is(await sql(primary, "SELECT has_database_privilege('rhino', 'zoo', 'CREATE')"), 't');
});

test('pgBouncer objects in PostgreSQL (internal/pgbouncer/postgres.go): enable, then the disable PGO runs on every reconcile', async () => {
  const vars = { namespace: 'pgbouncer', username: '_crunchypgbouncer' };
  const enable = [
    'SET client_min_messages = WARNING;', 'SET synchronous_commit = LOCAL;', 'BEGIN;',
    `SELECT pg_catalog.format('CREATE ROLE %I NOLOGIN', :'username') WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'username')\n\\gexec`,
    'CREATE SCHEMA IF NOT EXISTS :"namespace";',
    'REVOKE ALL PRIVILEGES ON SCHEMA :"namespace" FROM PUBLIC, :"username";',
    'GRANT USAGE ON SCHEMA :"namespace" TO :"username";',
    `CREATE OR REPLACE FUNCTION :"namespace".get_auth(username TEXT) RETURNS TABLE(username TEXT, password TEXT) AS
  'SELECT rolname::TEXT, rolpassword::TEXT FROM pg_catalog.pg_authid WHERE pg_authid.rolname = $1 AND pg_authid.rolcanlogin AND NOT pg_authid.rolsuper'
  LANGUAGE SQL STABLE SECURITY DEFINER;`,
    'ALTER ROLE :"username" SET search_path TO :\'namespace\';',
    'ALTER ROLE :"username" LOGIN PASSWORD :\'verifier\';', 'COMMIT;',
  ].join('\n');
  ok(await execInDatabases(primary, ALL_DATABASES, enable, { ...vars, verifier: scramVerifier('bouncer') }), 'pgbouncer enable');
  for (const db of ['postgres', 'template1', 'zoo']) assert.is(await sql(primary, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgbouncer'", db), '1', db);

  // The script of the 56 `Reconciler error` lines of the recorded log: the same arguments.
  const disable = [
    'SET client_min_messages = WARNING;', 'SET synchronous_commit = LOCAL;', 'BEGIN;',
    'DROP FUNCTION IF EXISTS :"namespace".get_auth(username TEXT);',
    'DROP SCHEMA IF EXISTS :"namespace" CASCADE;',
    `SELECT pg_catalog.format('DROP OWNED BY %I CASCADE', :'username') WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'username')\n\\gexec`,
    'COMMIT;',
  ].join('\n');
  ok(await execInDatabases(primary, ALL_DATABASES, disable, vars), 'pgbouncer disable');
  ok(await execInDatabases(primary, 'SELECT pg_catalog.current_database()',
    'SET client_min_messages = WARNING; SET synchronous_commit = LOCAL; DROP ROLE IF EXISTS :"username";', { username: vars.username }), 'pgbouncer drop role');
  for (const db of ['postgres', 'template1', 'zoo']) assert.is(await sql(primary, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgbouncer'", db), '0', db);
  assert.is(await sql(primary, "SELECT count(*) FROM pg_roles WHERE rolname = '_crunchypgbouncer'"), '0');
});

test('pgBackRest stanza-create (internal/pgbackrest/pgbackrest.go) over TLS to the repo host; a stale config hash is refused', async () => {
  const stale = await stanzaCreate(primary, 'not-the-hash');
  assert.is(stale.code, 1);
  // PGO recognises the mismatch by this exact stderr (kubectl adds its own `error:` line after it).
  assert.ok(stale.stderr.startsWith(`${HASH_MISMATCH}error: `), stale.stderr);
  const t = Date.now();
  const r = await stanzaCreate(primary, await configHash());
  ok(r, 'stanza-create');
  console.log(`    stanza created in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const info = await execRepo(['pgbackrest', 'info', '--stanza=db', '--output=json']);
  ok(info, 'pgbackrest info');
  const stanza = JSON.parse(info.stdout)[0];
  assert.is(stanza.name, 'db');
  assert.is(stanza.db?.[0]?.version, '15', 'the stanza knows the database that runs');
});

// The manual backup Job's container (Crunchy's pgbackrest runner, env COMMAND=backup,
// COMMAND_OPTS="--stanza=db --repo=1" + spec.backups.pgbackrest.manual.options, COMPARE_HASH=true,
// CONTAINER=pgbackrest, SELECTOR = the repo host) hashes the files of its own
// /etc/pgbackrest/conf.d, then execs bash into the repo host: same hash there, or exit 1; else
// the pgBackRest command. The hash here is taken over the repo host's own files (the Job mounts
// the same ConfigMap and Secret).
const CONF_FILES = `export LC_ALL=C
shopt -s globstar
conf=(/etc/pgbackrest/conf.d/**)
for i in "\${!conf[@]}"; do [[ -f "\${conf[$i]}" ]] || unset -v "conf[$i]"; done`;
const CONF_HASH_SCRIPT = `${CONF_FILES}
sha1sum "\${conf[@]}" | sha1sum`;
const BACKUP_SCRIPT = (command: string) => `${CONF_FILES}
declare -r want="$1"
have="$(sha1sum "\${conf[@]}" | sha1sum)"
if [[ "$have" != "$want" ]]; then printf >&2 'hash %s does not match local hash %s' "$want" "$have"; exit 1
else
  ${command}
fi`;

test('a manual backup as the backup Job runs it (bash on the repo host: config hash, then pgbackrest backup) is listed', async () => {
  const hash = await execRepo(['bash', '-ceu', '--', CONF_HASH_SCRIPT]);
  ok(hash, 'config hash');
  const stale = await execRepo(['bash', '-ceu', '--', BACKUP_SCRIPT('pgbackrest backup --stanza=db --repo=1'), '-', 'stale']);
  assert.is(stale.code, 1, 'a stale hash stops the backup');
  const t = Date.now();
  // --start-fast: a manual option (PGO appends them to COMMAND_OPTS); without it pgBackRest waits
  // for the next scheduled checkpoint (up to checkpoint_timeout, 5 min).
  const r = await execRepo(['bash', '-ceu', '--', BACKUP_SCRIPT('pgbackrest backup --stanza=db --repo=1 --start-fast'), '-', hash.stdout.trim()],
    { timeoutMs: 240_000 });
  ok(r, 'backup');
  console.log(`    full backup of a new cluster in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const info = JSON.parse((await execRepo(['pgbackrest', 'info', '--stanza=db', '--output=json'])).stdout)[0];
  assert.is(info.status.code, 0, info.status.message);
  assert.is(info.backup.length, 1);
  assert.is(info.backup[0].type, 'full');
  // WAL reaches the repository through PostgreSQL's own archive_command (PGO's, not overridden).
  assert.ok(Number(await sql(primary, 'SELECT archived_count FROM pg_stat_archiver')) > 0, 'WAL archived by archive_command');
});

test('a changed ConfigMap reaches the pods\' volumes (as the kubelet syncs them); the stanza check follows it', async () => {
  const before = await configHash();
  const next = `${before}x`;
  const r = await api('PATCH', `/api/v1/namespaces/${ns}/configmaps/hippo-pgbackrest-config`, { data: { 'config-hash': next } }, { contentType: 'application/merge-patch+json' });
  assert.is(r.status, 200);
  const t = Date.now();
  await waitFor('the new config-hash in the primary\'s /etc/pgbackrest/conf.d', async () =>
    (await execDb(ns, primary, ['cat', '/etc/pgbackrest/conf.d/config-hash'])).stdout === next, { timeoutMs: 60_000 });
  console.log(`    ConfigMap change visible in the pod after ${((Date.now() - t) / 1000).toFixed(1)} s`);
  assert.ok((await stanzaCreate(primary, before)).stderr.startsWith(`${HASH_MISMATCH}error: `));
  ok(await stanzaCreate(primary, next), 'stanza-create with the new hash (idempotent)');
});

test('patronictl switchover and failover (internal/patroni/api.go) move the leader; restart --pending runs', async () => {
  const sw = await execDb(ns, primary, ['patronictl', 'switchover', '--scheduled=now', '--force', `--candidate=${replica}`], { timeoutMs: 120_000 });
  ok(sw, 'switchover');
  assert.ok(sw.stdout.includes('switched over'), sw.stdout);
  await waitFor(`${replica} leads`, async () => (await leaderOf()) === replica, { timeoutMs: 60_000 });
  await waitForLeader(fc, 120_000);
  const fo = await execDb(ns, replica, ['patronictl', 'failover', '--force', `--candidate=${primary}`], { timeoutMs: 120_000 });
  ok(fo, 'failover');
  assert.ok(fo.stdout.includes('failed over'), fo.stdout);
  await waitFor(`${primary} leads again`, async () => (await leaderOf()) === primary, { timeoutMs: 60_000 });
  ok(await execDb(ns, primary, ['patronictl', 'restart', '--pending', '--force', '--role=replica', 'hippo-ha']), 'restart --pending');
});

test('memory of the pods: Patroni, PostgreSQL and the pgBackRest servers', async () => {
  const dbs = await databases(ns);
  for (const d of dbs) {
    console.log(`    ${d.pod}: patroni ${Math.round(d.patroniRssKb / 1024)} MB + postgres ${Math.round(d.postgresRssKb / 1024)} MB RSS (PSS ${Math.round((d.patroniPssKb + d.postgresPssKb) / 1024)} MB)`);
  }
  assert.is(dbs.length, 2);
  const pod = await getPod(ns, repoHost);
  assert.is(pod?.status?.phase, 'Running');
});

test.run();
