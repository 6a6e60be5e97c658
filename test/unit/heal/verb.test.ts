import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { load } from 'js-yaml';
import { ExitError } from '../../../lib/cli/exit.ts';
import { memoryIO } from '../../../lib/cli/io.ts';
import { LABEL } from '../../../lib/model/types.ts';
import { parseHealArgs, runHeal } from '../../../lib/verbs/heal.ts';
import { operatorDeployment, World } from '../../helpers/heal-world.ts';
import { flags, writeVerbSetup } from '../../helpers/write-verb.ts';

const setup = (world: World) => writeVerbSetup(world, 'heal', parseHealArgs);

test('the incident, --yes: one conditional patch, the object saved first, PGO converges, exit 0', async () => {
  const world = World.incident();
  const rvBefore = world.cluster.metadata.resourceVersion;
  assert.ok(rvBefore);
  const s = setup(world);
  const io = memoryIO();
  const code = await runHeal(s.args({ yes: true }), io, s.deps);
  const out = io.stdout();
  assert.is(code, 0, out + io.stderr());
  const patches = world.patches();
  assert.is(patches.length, 1);
  assert.equal(patches[0].body, {
    metadata: { resourceVersion: rvBefore, annotations: { [LABEL.triggerSwitchover]: null } },
    spec: { patroni: { switchover: { enabled: false } } },
  });
  assert.is(patches[0].query?.fieldManager, 'kubectl-pgo');
  assert.match(out, /SwitchoverBlocked/);
  assert.match(out, /Plan \(1 change\):/);
  assert.match(out, /patch \(merge, applies only if resourceVersion is still \d+\)/);
  assert.match(out, /Expected to clear once PGO reconciles again:\n  - InstanceMissing/);
  assert.match(out, /saved PostgresCluster db\/hippo as it was to .*db_postgrescluster_hippo_.*\.yaml \(restore: kubectl replace -f /);
  assert.match(out, /waiting: db\/hippo: .*StatefulSet db\/hippo-instance2-k5cc recreated on its old volume|converged: db\/hippo: StatefulSet db\/hippo-instance2-k5cc recreated on its old volume/);
  assert.match(out, /Healed db\/hippo in /);
  assert.is(readdirSync(s.dir).length, 1);
  assert.is(world.cluster.metadata.annotations?.[LABEL.triggerSwitchover], undefined);
  assert.is(world.cluster.spec.patroni.switchover.enabled, false);
  s.done();
});

test('a recreated pod that is Ready but not yet a Patroni member is waited for', async () => {
  const world = World.incident();
  world.roleDelayLooks = 3;
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true }), io, s.deps), 0, io.stdout() + io.stderr());
  const out = io.stdout();
  assert.match(out, /waiting: db\/hippo: StatefulSet db\/hippo-instance2-k5cc recreated on its old volume \(1\/2 instances ready with a Patroni role\)/);
  assert.match(out, /converged: db\/hippo: StatefulSet db\/hippo-instance2-k5cc recreated on its old volume \(2\/2 instances ready with a Patroni role\)/);
  s.done();
});

test('a second heal finds nothing to do, says so, writes nothing, exit 0', async () => {
  const world = World.incident();
  const s = setup(world);
  assert.is(await runHeal(s.args({ yes: true }), memoryIO(), s.deps), 0);
  const io = memoryIO();
  const before = world.patches().length;
  assert.is(await runHeal(s.args({ yes: true }), io, s.deps), 0);
  assert.is(world.patches().length, before);
  assert.match(io.stdout(), /Nothing to heal: .*nothing was changed/);
  s.done();
});

test('no terminal and no --yes: refused with one line, exit 1, nothing sent', async () => {
  const world = World.incident();
  const s = setup(world);
  const io = memoryIO();
  await runHeal(s.args({}), io, s.deps).then(
    () => assert.unreachable('should refuse'),
    (e) => {
      assert.ok(e instanceof ExitError);
      assert.is((e as ExitError).code, 1);
      assert.match((e as Error).message, /--yes/);
    },
  );
  assert.is(world.patches().length, 0);
  assert.match(io.stdout(), /Plan \(1 change\)/, 'the plan is still shown');
  s.done();
});

test('on a terminal, "n" declines: exit 1, nothing sent', async () => {
  const world = World.incident();
  const s = setup(world);
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = true;
  stdin.end('n\n');
  const io = { ...memoryIO(), stdin };
  assert.is(await runHeal(s.args({}), io, s.deps), 1);
  assert.is(world.patches().length, 0);
  s.done();
});

test('--dry-run=client prints the plan and sends nothing', async () => {
  const world = World.incident();
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ dryRun: 'client' }), io, s.deps), 0);
  assert.is(world.requests.length, 0);
  assert.match(io.stdout(), /by hand: kubectl patch postgresclusters\.postgres-operator\.crunchydata\.com hippo -n db --type merge -p '\{"metadata":\{"resourceVersion"/);
  assert.match(io.stdout(), /nothing was sent/);
  s.done();
});

test('--dry-run=server sends dryRun=All, stores nothing, writes no backup', async () => {
  const world = World.incident();
  const s = setup(world);
  const rv = world.cluster.metadata.resourceVersion;
  const io = memoryIO();
  assert.is(await runHeal(s.args({ dryRun: 'server' }), io, s.deps), 0);
  assert.is(world.patches().length, 1);
  assert.is(world.patches()[0].query?.dryRun, 'All');
  assert.is(world.cluster.metadata.resourceVersion, rv);
  assert.is(readdirSync(s.dir).length, 0);
  s.done();
});

test('operator missing: refused unless --force, nothing sent', async () => {
  const world = World.incident({ operator: null });
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true }), io, s.deps), 1);
  assert.is(world.patches().length, 0);
  assert.match(io.stderr(), /^error: refusing to heal: No PGO operator Deployment found.*--force.*Nothing was changed\.\n$/s);
  const io2 = memoryIO();
  assert.is(await runHeal(s.args({ yes: true, force: true }), io2, s.deps), 2, 'written, but nothing converges without the operator');
  assert.is(world.patches().length, 1);
  s.done();
});

test('operator not ready: refused', async () => {
  const world = World.incident({ operator: operatorDeployment(0) });
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true }), io, s.deps), 1);
  assert.match(io.stderr(), /0 of 1 replicas available/);
  s.done();
});

test('an edit between plan and apply: 409, re-read, new plan shown, written with the new resourceVersion', async () => {
  const world = World.incident();
  const s = setup(world);
  let first = true;
  let editedRv: string | undefined;
  world.beforePatch = (w) => {
    if (!first) return;
    first = false;
    w.cluster.metadata.annotations!['example.com/edited-meanwhile'] = 'yes';
    w.bump(w.cluster);
    editedRv = w.cluster.metadata.resourceVersion;
  };
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true }), io, s.deps), 0, io.stdout() + io.stderr());
  const rvs = world.patches().map((p) => (p.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
  assert.is(rvs.length, 2);
  assert.is.not(rvs[0], rvs[1]);
  assert.is(rvs[1], editedRv, 'the second write is conditional on the edited object');
  assert.match(io.stdout(), /conflict: PostgresCluster db\/hippo changed since it was read/);
  assert.match(io.stdout(), /New plan \(1 change\), made from the objects as they are now:/);
  assert.is(world.cluster.metadata.annotations?.['example.com/edited-meanwhile'], 'yes', 'the other edit survives');
  assert.is(readdirSync(s.dir).length, 1, 'one backup: the object actually replaced');
  s.done();
});

test('PGO never converges: exit 2 after --timeout, naming what is left', async () => {
  const world = World.incident();
  world.recreate = undefined;
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true, timeout: '5s' }), io, s.deps), 2);
  assert.match(io.stderr(), /Timed out after 5\.0s: PGO has not converged:\n  db\/hippo: InstanceMissing still reported/);
  s.done();
});

test('--wait=false applies and returns 0 at once', async () => {
  const world = World.incident();
  world.recreate = undefined;
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true, wait: false }), io, s.deps), 0);
  assert.match(io.stdout(), /Not waiting \(--wait=false\)/);
  s.done();
});

test('-o json: the outcome as data on stdout, the progress on stderr', async () => {
  const world = World.incident();
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true, output: 'json' }), io, s.deps), 0);
  const r = JSON.parse(io.stdout());
  assert.is(r.kind, 'HealResult');
  assert.is(r.result, 'healed');
  assert.is(r.clusters[0].name, 'hippo');
  assert.equal(r.clusters[0].changes[0].reasons, ['SwitchoverBlocked']);
  assert.is(r.clusters[0].backups.length, 1);
  assert.is(r.clusters[0].converged, true);
  assert.match(io.stderr(), /Plan \(1 change\)/);
  s.done();
});

test('-o yaml: the same outcome as YAML; nothing to do still reports the findings left', async () => {
  const world = World.incident();
  const s = setup(world);
  assert.is(await runHeal(s.args({ yes: true }), memoryIO(), s.deps), 0);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true, output: 'yaml' }), io, s.deps), 0);
  const r = load(io.stdout()) as { kind: string; result: string; clusters: Array<{ changes: unknown[] }> };
  assert.is(r.kind, 'HealResult');
  assert.is(r.result, 'nothing-to-do');
  assert.equal(r.clusters[0].changes, []);
  s.done();
});

test('a cluster that does not exist: one line, exit 1', async () => {
  const world = World.incident();
  const s = setup(world);
  await runHeal(parseHealArgs({ cluster: 'nope', backupDir: s.dir, yes: true }, flags), memoryIO(), s.deps).then(
    () => assert.unreachable(),
    (e) => assert.match((e as Error).message, /^error: PostgresCluster "nope" not found in namespace "db"$/),
  );
  s.done();
});

test('bad flags are usage errors', () => {
  assert.throws(() => parseHealArgs({ dryRun: 'maybe' }, flags), /--dry-run/);
  assert.throws(() => parseHealArgs({ timeout: 'soon' }, flags), /--timeout/);
  assert.throws(() => parseHealArgs({ output: 'table' }, flags), /output format "table"/);
  assert.throws(() => parseHealArgs({ cluster: 'hippo' }, { ...flags, allNamespaces: true }), /-A/);
});

test.run();
