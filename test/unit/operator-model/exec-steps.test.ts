// The execs the model runs in database pods are PGO v5.8.9's, byte for byte: the commands equal
// those in the real operator's recorded log, and the revision hashes PGO keeps in status come out
// equal to the revisions that log shows (they hash the full SQL and command lines).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDatabasesSQL, disablePGBouncerCalls, isWritable, replicaRepoReady, stanzaCreateCommand, writeUsersSQL } from '../../../scripts/sandbox/operator/model/exec-steps.ts';
import { STRICT, goJSON, goSliceString, inAllDatabases, psql, safeHash32 } from '../../../scripts/sandbox/operator/model/psql.ts';
import { readCluster } from '../../../scripts/sandbox/operator/model/spec.ts';
import type { Instance } from '../../../scripts/sandbox/operator/model/instances.ts';
import { scramVerifier } from '../../../scripts/sandbox/operator/model/user-secrets.ts';
import { splitStderr } from '../../../scripts/sandbox/operator/model/exec.ts';
import { find, recorded, sharedDir, type Obj } from '../../helpers/operator.ts';
import { ENV, FakeKube, PLURAL } from '../../helpers/model-kube.ts';
import { reconcile, StepError } from '../../../scripts/sandbox/operator/model/reconcile.ts';
import { Logger } from '../../../scripts/sandbox/operator/model/log.ts';
import { ExecError } from '../../../scripts/sandbox/operator/model/exec.ts';
import type { Kube } from '../../../scripts/sandbox/kube/client.ts';
import type { ExecResult } from '../../../scripts/sandbox/operator/model/switchover.ts';

const log = readFileSync(path.join(sharedDir, 'fixtures/pgo/v5.8.9/recorded/operator.log'), 'utf8').split('\n');
const cluster = readCluster(find(recorded('v5.8.9', 'healthy.yaml'), 'PostgresCluster', 'hippo'));

/** A logrus field's value (Go-quoted, or bare) from the first line matching `re`. */
function field(re: RegExp, key: string): string {
  const line = log.find((l) => re.test(l));
  assert.ok(line, `no recorded line matches ${re}`);
  const m = new RegExp(` ${key}=("(?:[^"\\\\]|\\\\.)*"|\\S*)`).exec(line!);
  assert.ok(m, `no ${key}= in ${line}`);
  return m![1].startsWith('"') ? (JSON.parse(m![1]) as string) : m![1];
}

test('pgBouncer objects: the recorded command, and PGO\'s revision of its SQL', () => {
  const [drop, role] = disablePGBouncerCalls();
  const err = field(/Reconciler error.*reconcilePGBouncerInPostgreSQL/, 'error');
  assert.is(err, `Internal error occurred: error executing command in container: cmd wait: ${drop.command.join(' ')}: exit status 1`);
  const revision = safeHash32([drop.stdin!, goSliceString(drop.command), role.stdin!, goSliceString(role.command)]);
  assert.is(revision, field(/msg="removed PgBouncer objects"/, 'revision'));
});

test('databases and pgAudit: the recorded psql command, and the revision over both execs', () => {
  const audit = inAllDatabases('SET client_min_messages = WARNING; CREATE EXTENSION IF NOT EXISTS pgaudit;', { ...STRICT });
  const create = psql(createDatabasesSQL(['hippo']), { ...STRICT });
  assert.match(field(/Reconciler error.*psql -Xw --file=-.*exit status 2.*reconcilePostgresDatabases/, 'error'), `cmd wait: ${create.command.join(' ')}: exit status 2`);
  const revision = safeHash32([goSliceString(audit.command), audit.stdin!, goSliceString(create.command), create.stdin!]);
  assert.is(revision, field(/msg="created PostgreSQL databases"/, 'revision'));
  assert.is(revision, field(/msg="enabled pgAudit"/, 'revision'));
});

test('stanza-create: the recorded script and arguments (config hash aside)', () => {
  const err = field(/msg="unable to create stanza"/, 'error');
  const cmd = stanzaCreateCommand(cluster, '65bb57b6b5');
  assert.ok(err.startsWith(`Internal error occurred: error executing command in container: cmd wait: ${cmd.join(' ')}: exit status 1`), err);
});

test('users: one psql with the users as JSON lines; the postgres user is always a superuser', () => {
  const sql = writeUsersSQL(
    [
      { name: 'hippo', databases: ['hippo'], options: '' },
      { name: 'postgres', databases: ['x'], options: 'NOLOGIN' },
    ],
    { hippo: 'SCRAM-SHA-256$4096:a$b:c' },
  );
  assert.match(sql, /^SET synchronous_commit = LOCAL;SET search_path TO '';\nCREATE TEMPORARY TABLE input/);
  assert.match(sql, /\n\{"databases":\["hippo"\],"options":"","username":"hippo","verifier":"SCRAM-SHA-256\$4096:a\$b:c"\}\n/);
  assert.match(sql, /\n\{"databases":\["postgres"\],"options":"LOGIN SUPERUSER","username":"postgres","verifier":""\}\n\\\.\nBEGIN;/);
  assert.match(sql, /\\gexec\nCOMMIT;$/);
  assert.equal(psql(sql, { ...STRICT }).command, ['psql', '-Xw', '--file=-', '--set=ON_ERROR_STOP=on', '--set=QUIET=on']);
});

test('SCRAM verifier: RFC 7677\'s example salt and iterations give its StoredKey and ServerKey', () => {
  const v = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
  assert.is(v, 'SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=');
});

test('Go encodings: json.Encoder sorts keys and escapes HTML; Fprint of a []string', () => {
  assert.is(goJSON({ b: 1, a: { d: '<&>', c: [2] } }), '{"a":{"c":[2],"d":"\\u003c\\u0026\\u003e"},"b":1}\n');
  assert.is(goSliceString(['psql', '-Xw']), '[psql -Xw]');
});

test('IsWritable from Patroni\'s member status; PGBackRestReplicaRepoReady from the first repo', () => {
  const pod = (status?: string): Instance => ({ name: 'i', set: 's', pods: [{ metadata: { name: 'p', annotations: status ? { status } : {} } }] });
  assert.is(isWritable(pod('{"role":"master","state":"running"}')), true);
  assert.is(isWritable(pod('{"role":"primary"}')), true);
  assert.is(isWritable(pod('{"role":"replica"}')), false);
  assert.is(isWritable(pod()), undefined);
  assert.is(replicaRepoReady(cluster, { pgbackrest: { repos: [{ name: 'repo1', stanzaCreated: true }] } })?.reason, 'StanzaCreated');
  assert.is(replicaRepoReady(cluster, { pgbackrest: { repos: [{ name: 'repo1', stanzaCreated: false }] } })?.reason, 'StanzaNotCreated');
  assert.is(replicaRepoReady(cluster, {})?.status, 'Unknown');
});

test('kubectl exec stderr: the command\'s own lines, then the API\'s message, several lines long', () => {
  const api = 'Internal error occurred: error executing command in container: cmd wait: bash -ceu -- \ndeclare -r hash="$1"\nfi\n - 4e8 db: exit status 37';
  const r = splitStderr(`ERROR: [037]: stanza-create command requires option: repo1-host-cert-file\nerror: ${api}\n`, 1, null);
  assert.is(r.message, api);
  assert.is(r.remote, 'ERROR: [037]: stanza-create command requires option: repo1-host-cert-file\n');
  assert.equal(splitStderr('oops\ncommand terminated with exit code 2\n', 2, null), { message: 'command terminated with exit code 2', remote: 'oops\n' });
  assert.equal(splitStderr('', null, 'SIGKILL'), { message: 'exec: signal: SIGKILL', remote: '' });
});

/** The recorded healthy cluster with its status as PGO left it; every exec answered by `answer`. */
function world(answer: (cmd: string[], stdin?: string) => ExecResult) {
  const kube = new FakeKube(recorded('v5.8.9', 'healthy.yaml'));
  const calls: Array<{ pod: string; cmd: string[]; stdin?: string }> = [];
  const events: string[] = [];
  const lines: string[] = [];
  const deps = {
    kube: kube as unknown as Kube,
    env: ENV,
    log: new Logger({}, (l) => lines.push(l), true),
    events: { record: async (_o: Obj, type: string, reason: string) => void events.push(`${type} ${reason}`) },
    rand: () => 0,
    exec: async (_ns: string, pod: string, _c: string, cmd: string[], stdin?: string) => {
      calls.push({ pod, cmd, stdin });
      return answer(cmd, stdin);
    },
  };
  return { kube, calls, events, lines, deps, cluster: () => kube.cluster(), run: () => reconcile(deps, 'db', 'hippo') };
}
const ok = (): ExecResult => ({ stdout: '', stderr: '' });

test('execs succeeding: revisions, pguser Secret, stanza and its condition in status; the next reconcile only edits the config', async () => {
  const w = world(ok);
  await w.run();
  const st = w.cluster().status;
  assert.is(st.databaseRevision, 'f886c77f4', 'the revision the real PGO computed for this SQL');
  assert.is(st.proxy.pgBouncer.postgresRevision, '69689f784f');
  assert.match(st.usersRevision, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(st.pgbackrest.repos, [{ name: 'repo1', bound: true, stanzaCreated: true, volume: 'pv-9' }]);
  const repoReady = st.conditions.find((c: Obj) => c.type === 'PGBackRestReplicaRepoReady');
  assert.equal([repoReady.status, repoReady.reason], ['True', 'StanzaCreated']);
  assert.equal(w.events, ['Normal StanzasCreated']);
  const secret = w.kube.store.get('/api/v1/namespaces/db/secrets/hippo-pguser-hippo');
  assert.equal(secret.metadata.labels, { 'postgres-operator.crunchydata.com/cluster': 'hippo', 'postgres-operator.crunchydata.com/role': 'pguser', 'postgres-operator.crunchydata.com/pguser': 'hippo' });
  const data = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  assert.is(data.host, 'hippo-primary.db.svc');
  assert.match(data.verifier, /^SCRAM-SHA-256\$4096:/);
  const users = w.calls.find((c) => c.stdin?.includes('CREATE USER'));
  assert.ok(users?.stdin?.includes(JSON.stringify(data.verifier)), 'the roles get the verifier in the Secret');
  assert.equal([...new Set(w.calls.filter((c) => c.cmd[0] !== 'patronictl').map((c) => c.pod))], ['hippo-instance2-k5cc-0'], 'SQL and stanza in the primary (instance2 in the recording)');

  w.calls.length = 0;
  await w.run();
  assert.equal(w.calls.map((c) => c.cmd.slice(0, 2).join(' ')), ['patronictl edit-config'], 'revisions unchanged: nothing run again');
  assert.is(Buffer.from(w.kube.store.get('/api/v1/namespaces/db/secrets/hippo-pguser-hippo').data.password, 'base64').toString(), data.password, 'the password is kept');
});

test('PgBouncer objects failing (the recorded failure): Reconciler error at PGO\'s site, revision not recorded, earlier steps done', async () => {
  const w = world((cmd) => {
    if (cmd[0] === 'bash' && cmd[3].includes('sql_target')) throw new ExecError('Internal error occurred: error executing command in container: cmd wait: x: exit status 1', '', '-: line 2: /dev/stdin: Permission denied\n');
    return ok();
  });
  const e = await w.run().then(() => undefined, (x) => x as StepError);
  assert.instance(e, StepError);
  assert.is(e!.origin?.func, 'postgrescluster.(*Reconciler).reconcilePGBouncerInPostgreSQL.func2');
  assert.is(e!.origin?.file, 'internal/controller/postgrescluster/pgbouncer.go:153');
  const st = w.cluster().status;
  assert.is(st.proxy, undefined);
  assert.is(st.databaseRevision, undefined, 'pgAudit failed: PGO does not record the databases revision');
  assert.ok(st.usersRevision);
  assert.equal(w.events, ['Warning pgAuditDisabled', 'Normal StanzasCreated']);
  assert.ok(w.lines.some((l) => l.includes('msg="removed PgBouncer objects"') && l.includes('stderr="-: line 2: /dev/stdin: Permission denied\\n"')));
});

test('stanza-create: a config not yet in the pod is a quiet requeue; any other failure an event and a log line, never a Reconciler error', async () => {
  const stale = world((cmd) => {
    if (cmd[3]?.includes('stanza-create')) throw new ExecError('command terminated with exit code 1', '', 'postgres operator error: pgBackRest config hash mismatch');
    return ok();
  });
  assert.equal(await stale.run(), { requeueAfterMs: 10_000 });
  assert.equal(stale.events, []);
  assert.is(stale.cluster().status.pgbackrest.repos[0].stanzaCreated, false);
  const broken = world((cmd) => {
    if (cmd[3]?.includes('stanza-create')) throw new ExecError('Internal error occurred: error executing command in container: cmd wait: bash: exit status 37', '', 'ERROR: [037]: stanza-create command requires option: repo1-host-cert-file\n');
    return ok();
  });
  assert.equal(await broken.run(), { requeueAfterMs: 10_000 });
  assert.equal(broken.events, ['Warning UnableToCreateStanzas']);
  const line = broken.lines.find((l) => l.includes('msg="unable to create stanza"'));
  assert.ok(line?.includes('reconciler=pgBackRest') && line.includes('file="internal/controller/postgrescluster/pgbackrest.go:2846"'), line);
  assert.ok(line?.includes('exit status 37: ERROR: [037]'), line);
});

test.run();
