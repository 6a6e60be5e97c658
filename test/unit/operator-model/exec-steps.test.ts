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
import { find, recorded, sharedDir } from '../../helpers/operator.ts';

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

test.run();
