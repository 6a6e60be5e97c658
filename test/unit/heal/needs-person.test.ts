// heal and the blocking findings it has no remedy for: it changes nothing, prints the finding's
// remedy for a person (with the real namespace and names), and exits 2 - PGO stays stuck, so
// "nothing to do" would be a false success. Findings that block nothing still end in exit 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { load } from 'js-yaml';
import { memoryIO } from '../../../lib/cli/io.ts';
import { parseHealArgs, runHeal } from '../../../lib/verbs/heal.ts';
import { World } from '../../helpers/heal-world.ts';
import { writeVerbSetup } from '../../helpers/write-verb.ts';

const setup = (world: World) => writeVerbSetup(world, 'heal', parseHealArgs);

test('a blocking error heal cannot fix (invalid standby spec): the remedy for a person, nothing written, exit 2', async () => {
  const world = World.healthy();
  world.cluster.spec.standby = { enabled: true };
  const s = setup(world);
  const io = memoryIO();
  const code = await runHeal(s.args({ yes: true }), io, s.deps);
  const out = io.stdout();
  assert.is(code, 2, out + io.stderr());
  assert.equal(world.patches(), [], 'nothing written');
  assert.match(out, /Not healed \(heal has no safe automatic remedy; what a person can do\):\n  - InvalidStandbyConfiguration \(db\/hippo\)/);
  assert.match(out, /kubectl patch postgrescluster hippo -n db --type merge/, 'the remedy names the real cluster and namespace');
  assert.not.match(out, /<[a-z-]+>/, 'no placeholder');
  assert.match(io.stderr(), /PGO cannot converge until a person acts on: InvalidStandbyConfiguration \(db\/hippo\)/);
  s.done();
});

test('-o json says needs-a-person with the remedy', async () => {
  const world = World.healthy();
  world.cluster.spec.standby = { enabled: true };
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true, output: 'json' }), io, s.deps), 2);
  const r = load(io.stdout()) as { result: string; clusters: Array<{ notHealed: Array<{ code: string; remedy: string; clearsAfterHeal: boolean }> }> };
  assert.is(r.result, 'needs-a-person');
  const n = r.clusters[0].notHealed.find((x) => x.code === 'InvalidStandbyConfiguration');
  assert.ok(n);
  assert.is(n.clearsAfterHeal, false);
  assert.match(n.remedy, /-n db/);
  s.done();
});

test('a healthy cluster: nothing to heal, exit 0', async () => {
  const s = setup(World.healthy());
  const io = memoryIO();
  assert.is(await runHeal(s.args({ yes: true }), io, s.deps), 0, io.stdout() + io.stderr());
  s.done();
});

test('after the heal, a new blocking error heal cannot fix: it stops waiting once that lasts, prints the remedy, exit 2', async () => {
  const world = World.incident();
  const s = setup(world);
  // Someone else's doing once heal has written: PGO now has a reason of its own to stop.
  const collect = s.deps.collect;
  s.deps.collect = async (...a) => {
    if (world.patches().length) world.cluster.spec.standby = { enabled: true };
    return collect(...a);
  };
  const io = memoryIO();
  const started = s.deps.now().getTime();
  const code = await runHeal(s.args({ yes: true }), io, s.deps);
  const out = io.stdout();
  assert.is(code, 2, out + io.stderr());
  assert.is(world.patches().length, 1, 'the switchover disarmed, nothing else');
  assert.match(out, /What heal acted on is done, but PGO still cannot converge[^\n]*\n  - InvalidStandbyConfiguration \(db\/hippo\)/);
  assert.match(out, /kubectl patch postgrescluster hippo -n db --type merge/);
  assert.not.match(out, /Healed db\/hippo/);
  assert.not.match(io.stderr(), /Timed out/);
  const waited = s.deps.now().getTime() - started;
  assert.ok(waited < 60_000, `stopped waiting after ${waited} ms, not at the 5 min timeout`);
  s.done();
});

test.run();
