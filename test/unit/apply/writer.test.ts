import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { applyPlanned } from '../../../lib/apply/apply.ts';
import { backupFileName, defaultBackupDir, restorable } from '../../../lib/apply/backup.ts';
import { applyMergePatch } from '../../../lib/apply/merge-patch.ts';
import type { Planned } from '../../../lib/apply/types.ts';
import { writeChange } from '../../../lib/apply/writer.ts';
import { ApiError, NetworkError } from '../../../lib/kube/errors.ts';
import type { ClusterRef, KObject } from '../../../lib/model/types.ts';
import { planHeal } from '../../../lib/plan/heal.ts';
import { finding, viewOf, yamlFixture } from '../../helpers/hand-views.ts';
import { ScriptedClient } from '../../helpers/stub-writer-client.ts';

const hippo: ClusterRef = { namespace: 'db', name: 'hippo' };
const now = () => new Date('2026-11-25T18:30:05.123Z');
const conflict = () => {
  throw new ApiError('Error from server (Conflict): Operation cannot be fulfilled on postgresclusters.postgres-operator.crunchydata.com "hippo": the object has been modified; please apply your changes to the latest version and try again', 409, 'Conflict');
};

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'kpgo-writer-'));
}

function incident(rv = '878'): KObject {
  const o = yamlFixture('heal/switchover-blocked.before.yaml');
  o.metadata.resourceVersion = rv;
  (o.metadata as unknown as Record<string, unknown>).managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update' }];
  return o;
}

function planFor(obj: KObject): Planned {
  return planHeal([viewOf(obj)], [finding('SwitchoverBlocked', hippo)], { unpause: false }).planned;
}

const hooks = (log: string[], shown: Planned[] = [], answer = true) => ({
  replan: async () => {
    throw new Error('no replan expected');
  },
  show: (p: Planned) => shown.push(p),
  confirm: async () => answer,
  log: (l: string) => log.push(l),
});

test('a write: the object is saved first, then one merge PATCH with field manager kubectl-pgo and the resourceVersion read', async () => {
  const dir = tmp();
  const obj = incident();
  const planned = planFor(obj);
  let backupSeenAtPatch = false;
  const client = new ScriptedClient([
    (req) => {
      backupSeenAtPatch = readdirSync(dir).length === 1;
      return { ...applyMergePatch(obj, req.body), metadata: { ...obj.metadata, resourceVersion: '879' } };
    },
  ]);
  const log: string[] = [];
  const out = await applyPlanned(client, planned, hooks(log), { dryRun: 'none', backupDir: dir, now });
  assert.is(out.result, 'applied');
  assert.ok(backupSeenAtPatch, 'backup written before the PATCH');
  assert.is(client.requests.length, 1);
  const req = client.requests[0];
  assert.is(req.method, 'PATCH');
  assert.is(req.path, '/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/db/postgresclusters/hippo');
  assert.is(req.patchType, 'merge');
  assert.equal(req.query, { fieldManager: 'kubectl-pgo' });
  assert.equal(req.body, {
    metadata: { resourceVersion: '878', annotations: { 'postgres-operator.crunchydata.com/trigger-switchover': null } },
    spec: { patroni: { switchover: { enabled: false } } },
  });
  const file = out.writes[0].backup!;
  assert.is(path.dirname(file), dir);
  assert.match(log.join('\n'), new RegExp(`restore: kubectl replace -f ${file.replace(/[.]/g, '\\.')}`));
  assert.match(log.join('\n'), /resourceVersion 878 -> 879/);
  rmSync(dir, { recursive: true });
});

test('the backup file: named for namespace, kind, name and time; private; restorable by kubectl replace (no managedFields, no resourceVersion, uid kept)', async () => {
  const dir = tmp();
  const obj = incident();
  const client = new ScriptedClient([() => obj]);
  const out = await applyPlanned(client, planFor(obj), hooks([]), { dryRun: 'none', backupDir: dir, now });
  const file = out.writes[0].backup!;
  assert.is(path.basename(file), 'db_postgrescluster_hippo_20261125T183005.123Z.yaml');
  assert.is(backupFileName(obj, now()), path.basename(file));
  assert.is(statSync(file).mode & 0o777, 0o600);
  const text = readFileSync(file, 'utf8');
  assert.match(text, new RegExp(`^# PostgresCluster db/hippo as it was before kubectl pgo changed it\\n# saved 2026-11-25T18:30:05.123Z from resourceVersion 878\\n# restore: kubectl replace -f ${file.replace(/[.]/g, '\\.')}\\n`));
  const saved = load(text) as KObject;
  const meta = saved.metadata as unknown as Record<string, unknown>;
  assert.is(meta.managedFields, undefined);
  assert.is(meta.resourceVersion, undefined);
  assert.is(saved.metadata.uid, 'a4519e42-eb6c-427e-b59e-a6e28c7804ee');
  assert.is(saved.status, undefined);
  assert.is(saved.apiVersion, 'postgres-operator.crunchydata.com/v1beta1');
  assert.is(saved.kind, 'PostgresCluster');
  // What it restores is the object as it was: the trigger and the enabled switchover are in it.
  assert.is(saved.metadata.annotations?.['postgres-operator.crunchydata.com/trigger-switchover'], 'Wed Nov 25 17:11:44 UTC 2026');
  assert.equal(saved.spec, obj.spec);
  assert.equal(restorable(obj), saved);
  rmSync(dir, { recursive: true });
});

test('--dry-run=server: dryRun=All is sent, no backup is written', async () => {
  const dir = tmp();
  const obj = incident();
  const client = new ScriptedClient([(req) => applyMergePatch(obj, req.body)]);
  const log: string[] = [];
  const out = await applyPlanned(client, planFor(obj), hooks(log), { dryRun: 'server', backupDir: dir, now });
  assert.is(out.result, 'dry-run');
  assert.equal(client.requests[0].query, { fieldManager: 'kubectl-pgo', dryRun: 'All' });
  assert.is(readdirSync(dir).length, 0);
  assert.match(log.join('\n'), /server dry run accepted .*nothing was changed/);
  rmSync(dir, { recursive: true });
});

test('409 once: nothing written blindly - re-read, re-plan from the changed object, show it, ask again, write with the new resourceVersion', async () => {
  const dir = tmp();
  const first = incident('878');
  // Someone edited the cluster between plan and apply: new resourceVersion, and a new trigger.
  const edited = incident('901');
  edited.metadata.annotations!['postgres-operator.crunchydata.com/trigger-switchover'] = 'someone else';
  const client = new ScriptedClient([conflict, (req) => applyMergePatch(edited, req.body)]);
  const shown: Planned[] = [];
  const asked: Planned[] = [];
  const log: string[] = [];
  let replans = 0;
  const out = await applyPlanned(
    client,
    planFor(first),
    {
      replan: async () => {
        replans++;
        return planFor(edited);
      },
      show: (p) => shown.push(p),
      confirm: async (p) => {
        asked.push(p);
        return true;
      },
      log: (l) => log.push(l),
    },
    { dryRun: 'none', backupDir: dir, now },
  );
  assert.is(out.result, 'applied');
  assert.is(replans, 1);
  assert.is(shown.length, 1);
  assert.is(asked.length, 1);
  assert.is(shown[0].changes[0].resourceVersion, '901');
  assert.is(client.requests.length, 2);
  assert.is((client.requests[0].body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '878');
  assert.is((client.requests[1].body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '901');
  assert.equal(out.conflicts.length, 1);
  assert.match(log.join('\n'), /conflict: PostgresCluster db\/hippo changed since it was read \(resourceVersion 878\); nothing was written; reading it again/);
  // Only the object that was actually replaced is kept as a backup, and it is the edited one.
  const files = readdirSync(dir);
  assert.is(files.length, 1);
  assert.match(readFileSync(path.join(dir, files[0]), 'utf8'), /someone else/);
  rmSync(dir, { recursive: true });
});

test('409, and the re-read shows someone already fixed it: nothing left to do, no second write', async () => {
  const dir = tmp();
  const client = new ScriptedClient([conflict]);
  const out = await applyPlanned(
    client,
    planFor(incident()),
    { ...hooks([]), replan: async () => ({ changes: [], before: new Map() }) },
    { dryRun: 'none', backupDir: dir, now },
  );
  assert.is(out.result, 'nothing-left');
  assert.is(client.requests.length, 1);
  assert.is(readdirSync(dir).length, 0, 'the backup of a write that did not happen is removed');
  rmSync(dir, { recursive: true });
});

test('409 and the person declines the new plan: nothing more is sent', async () => {
  const dir = tmp();
  const client = new ScriptedClient([conflict]);
  const out = await applyPlanned(client, planFor(incident()), { ...hooks([], [], false), replan: async () => planFor(incident('950')) }, { dryRun: 'none', backupDir: dir, now });
  assert.is(out.result, 'declined');
  assert.is(client.requests.length, 1);
  rmSync(dir, { recursive: true });
});

test('--dry-run=server meets a 409 (an operator wrote status meanwhile): re-plans and dry-runs again without asking', async () => {
  const dir = tmp();
  const obj = incident('950');
  const client = new ScriptedClient([conflict, (req) => applyMergePatch(obj, req.body)]);
  const out = await applyPlanned(client, planFor(incident()), { ...hooks([], [], false), replan: async () => planFor(obj) }, { dryRun: 'server', backupDir: dir, now });
  assert.is(out.result, 'dry-run', 'no confirmation asked (the answer would have been no)');
  assert.equal(client.requests.map((r) => r.query?.dryRun), ['All', 'All']);
  assert.is(readdirSync(dir).length, 0);
  rmSync(dir, { recursive: true });
});

test('someone keeps editing: after the conflict limit it gives up', async () => {
  const dir = tmp();
  const client = new ScriptedClient([conflict, conflict, conflict]);
  let rv = 900;
  const out = await applyPlanned(client, planFor(incident()), { ...hooks([]), replan: async () => planFor(incident(String(++rv))) }, { dryRun: 'none', backupDir: dir, now, maxConflicts: 2 });
  assert.is(out.result, 'conflict-limit');
  assert.is(client.requests.length, 3);
  rmSync(dir, { recursive: true });
});

test('other API errors are not conflicts: they propagate and leave no backup behind', async () => {
  const dir = tmp();
  const client = new ScriptedClient([
    () => {
      throw new ApiError('Error from server (Forbidden): nope', 403, 'Forbidden');
    },
  ]);
  await applyPlanned(client, planFor(incident()), hooks([]), { dryRun: 'none', backupDir: dir, now }).then(
    () => assert.unreachable('should throw'),
    (e) => {
      // One line: what was refused, that nothing was written, in the server's words.
      assert.is((e as ApiError).code, 1);
      assert.match((e as Error).message, /^error: the API server refused the patch of PostgresCluster db\/hippo, so nothing was written to it: Error from server \(Forbidden\): nope; nothing else was written$/);
    },
  );
  assert.is(readdirSync(dir).length, 0);
  rmSync(dir, { recursive: true });
});

test('no answer to a write: it may have been applied, so the backup stays and the line says so', async () => {
  const dir = tmp();
  const client = new ScriptedClient([
    () => {
      throw new NetworkError('error: unable to connect to the server 127.0.0.1:1: socket hang up', 'other');
    },
  ]);
  await applyPlanned(client, planFor(incident()), hooks([]), { dryRun: 'none', backupDir: dir, now }).then(
    () => assert.unreachable('should throw'),
    (e) => {
      assert.match((e as Error).message, /^error: no complete answer to the patch of PostgresCluster db\/hippo \(unable to connect to the server 127.0.0.1:1: socket hang up\): it may or may not have been applied; nothing more was written\. It was saved before as .*\.yaml \(restore: kubectl replace -f /);
    },
  );
  assert.is(readdirSync(dir).length, 1);
  rmSync(dir, { recursive: true });
});

test('the writer refuses an unconditional patch and anything but a PostgresCluster', async () => {
  const obj = incident();
  const change = planFor(obj).changes[0];
  const client = new ScriptedClient([]);
  const noRv = { ...change, patch: { spec: { paused: false } } };
  await writeChange(client, noRv, obj, { dryRun: 'server', backupDir: '/nonexistent', now }).then(
    () => assert.unreachable(),
    (e) => assert.match(String(e), /not conditional/),
  );
  const pvc = { ...change, target: { ...change.target, kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', apiVersion: 'v1' } };
  await writeChange(client, pvc, obj, { dryRun: 'server', backupDir: '/nonexistent', now }).then(
    () => assert.unreachable(),
    (e) => assert.match(String(e), /only patches PostgresClusters/),
  );
  assert.is(client.requests.length, 0);
});

test('a backup that cannot be written stops the write', async () => {
  const obj = incident();
  const client = new ScriptedClient([]);
  const dir = tmp();
  const notADir = path.join(dir, 'file');
  writeFileSync(notADir, '');
  await writeChange(client, planFor(obj).changes[0], obj, { dryRun: 'none', backupDir: path.join(notADir, 'backups'), now }).then(
    () => assert.unreachable(),
    () => undefined,
  );
  assert.is(client.requests.length, 0);
  rmSync(dir, { recursive: true });
});

test('default backup directory: per user, XDG state first', () => {
  assert.is(defaultBackupDir({ XDG_STATE_HOME: '/s' }, '/home/u'), '/s/kubectl-pgo/backups');
  assert.is(defaultBackupDir({}, '/home/u'), '/home/u/.local/state/kubectl-pgo/backups');
  assert.is(defaultBackupDir({ XDG_STATE_HOME: 'relative' }, '/home/u'), '/home/u/.local/state/kubectl-pgo/backups');
});

test('merge patch semantics (RFC 7386): null deletes, objects merge, arrays replace', () => {
  assert.equal(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] }), { a: { c: 2, d: 3 }, l: [3] });
  assert.equal(applyMergePatch({ a: 1 }, { a: { b: null } }), { a: {} });
});

test.run();
