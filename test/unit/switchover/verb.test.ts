import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { memoryIO } from '../../../lib/cli/io.ts';
import { LABEL, type KObject } from '../../../lib/model/types.ts';
import { parseSwitchoverArgs, runSwitchover, type SwitchoverDeps } from '../../../lib/verbs/switchover.ts';
import { World } from '../../helpers/heal-world.ts';
import { flags, writeVerbSetup } from '../../helpers/write-verb.ts';

const setup = (world: World) => writeVerbSetup(world, 'sw', parseSwitchoverArgs, { random: () => 0.5 } satisfies Partial<SwitchoverDeps>);

const body = (w: World, i: number) => w.patches()[i].body as KObject;

test('a valid switchover: one conditional write, verified by the leader, then disarmed; exit 0', async () => {
  const world = World.healthy();
  const rv = world.cluster.metadata.resourceVersion!;
  const s = setup(world);
  const io = memoryIO();
  const code = await runSwitchover(s.args({ yes: true }), io, s.deps);
  assert.is(code, 0, io.stdout() + io.stderr());
  const out = io.stdout();
  assert.match(out, /chose hippo-instance1-hcjs: the only ready, running replica/);
  assert.is(world.patches().length, 2);
  const req = body(world, 0);
  assert.equal(req, {
    metadata: { resourceVersion: rv, annotations: { [LABEL.triggerSwitchover]: '2026-11-25T19:00:00.000Z-7fff' } },
    spec: { patroni: { switchover: { enabled: true, targetInstance: 'hippo-instance1-hcjs', type: 'Switchover' } } },
  });
  const cleanup = body(world, 1);
  assert.equal(cleanup.spec, { patroni: { switchover: { enabled: false } } });
  assert.equal(cleanup.metadata.annotations, { [LABEL.triggerSwitchover]: null });
  assert.is.not(cleanup.metadata.resourceVersion, rv, 'the clean-up is conditional on the object as it is after the switchover');
  assert.match(out, /Switched over: hippo-instance1-hcjs-0 is the primary/);
  assert.match(out, /Cleaned up/);
  assert.is(readdirSync(s.dir).length, 2, 'saved before each of the two writes');
  assert.is(world.cluster.spec.patroni.switchover.enabled, false);
  assert.is(world.cluster.metadata.annotations?.[LABEL.triggerSwitchover], undefined);
  s.done();
});

test('--keep-enabled: switched over, no clean-up write', async () => {
  const world = World.healthy();
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runSwitchover(s.args({ yes: true, keepEnabled: true }), io, s.deps), 0);
  assert.is(world.patches().length, 1);
  assert.is(world.cluster.spec.patroni.switchover.enabled, true);
  s.done();
});

test('the timeline trap: PGO marks it done but the leader never moved -> not verified, exit 2, request left for heal', async () => {
  const world = World.healthy();
  world.switchover = 'status-only';
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runSwitchover(s.args({ yes: true, timeout: '5s' }), io, s.deps), 2);
  assert.match(io.stdout(), /status\.patroni\.switchover says done but the leader is still hippo-instance2-k5cc-0/);
  assert.match(io.stderr(), /Not verified within 5\.0s/);
  assert.match(io.stderr(), /To cancel it: kubectl pgo heal hippo -n db/);
  assert.is(world.patches().length, 1, 'no clean-up of an unverified switchover');
  s.done();
});

test('one instance: refused with a clear line, exit 1, nothing written', async () => {
  const world = World.healthy();
  world.objects = world.objects.filter((o) => !o.metadata.name.startsWith('hippo-instance1-hcjs'));
  const rv = world.cluster.metadata.resourceVersion;
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runSwitchover(s.args({ yes: true }), io, s.deps), 1);
  assert.match(io.stderr(), /^error: refusing to switchover db\/hippo; nothing was changed:\n  - db\/hippo has 1 instance; a switchover needs at least two/);
  assert.is(world.patches().length, 0);
  assert.is(world.cluster.metadata.resourceVersion, rv);
  s.done();
});

test('--to the primary (how the incident started) is refused', async () => {
  const world = World.healthy();
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runSwitchover(s.args({ yes: true, to: 'instance2' }), io, s.deps), 1);
  assert.match(io.stderr(), /target hippo-instance2-k5cc is already the primary/);
  assert.is(world.patches().length, 0);
  s.done();
});

test('nofailover in the instance config ConfigMap is refused', async () => {
  const world = World.healthy();
  // The recorded <instance>-config as PGO wrote it (tags: {}), with a nofailover tag added.
  const cm = world.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hippo-instance1-hcjs-config')!;
  assert.match(cm.data['patroni.yaml'], /tags: \{\}/);
  cm.data['patroni.yaml'] = cm.data['patroni.yaml'].replace('tags: {}', 'tags:\n  nofailover: true');
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runSwitchover(s.args({ yes: true, to: 'hippo-instance1-hcjs' }), io, s.deps), 1);
  assert.match(io.stderr(), /nofailover=true/);
  s.done();
});

test('--dry-run=client changes nothing; --dry-run=server sends dryRun=All and stores nothing', async () => {
  const world = World.healthy();
  const rv = world.cluster.metadata.resourceVersion;
  const s = setup(world);
  assert.is(await runSwitchover(s.args({ dryRun: 'client' }), memoryIO(), s.deps), 0);
  assert.is(world.patches().length, 0);
  assert.is(await runSwitchover(s.args({ dryRun: 'server' }), memoryIO(), s.deps), 0);
  assert.is(world.patches().length, 1);
  assert.is(world.patches()[0].query?.dryRun, 'All');
  assert.is(world.cluster.metadata.resourceVersion, rv);
  assert.is(readdirSync(s.dir).length, 0);
  s.done();
});

test('-o json: the outcome as data', async () => {
  const world = World.healthy();
  const s = setup(world);
  const io = memoryIO();
  assert.is(await runSwitchover(s.args({ yes: true, output: 'json' }), io, s.deps), 0);
  const r = JSON.parse(io.stdout());
  assert.is(r.kind, 'SwitchoverResult');
  assert.is(r.result, 'switched-over');
  assert.is(r.from, 'hippo-instance2-k5cc');
  assert.is(r.to, 'hippo-instance1-hcjs');
  assert.is(r.cleanup, 'done');
  assert.equal(r.verified, { statusDone: true, leader: 'hippo-instance1-hcjs-0', leaderIsTarget: true, targetLabelled: true });
  s.done();
});

test('bad flags are usage errors', () => {
  assert.throws(() => parseSwitchoverArgs({}, flags), /CLUSTER/);
  assert.throws(() => parseSwitchoverArgs({ cluster: 'h', type: 'promote' }, flags), /--type/);
  assert.throws(() => parseSwitchoverArgs({ cluster: 'h', maxLag: 'lots' }, flags), /--max-lag/);
  assert.throws(() => parseSwitchoverArgs({ cluster: 'h' }, { ...flags, allNamespaces: true }), /-A/);
  assert.is(parseSwitchoverArgs({ cluster: 'h', type: 'FAILOVER' }, flags).type, 'Failover');
});

test.run();
