// `status --watch` against the real API server: a change to a watched object (the Patroni leader
// annotation on the cluster's `-ha` Endpoints) is a new report built from the kept Snapshot and the
// watch event - no LIST and no other request once the watches are open.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryIO } from '../../../lib/cli/io.ts';
import { globalFlagsOf } from '../../../lib/cli/global-flags.ts';
import { connect } from '../../../lib/kube/connect.ts';
import type { ApiClient } from '../../../lib/kube/api.ts';
import type { StatusReport } from '../../../lib/report/schema.ts';
import { defaultDeps, parseStatusArgs, runStatus } from '../../../lib/verbs/status.ts';
import { makeWorld, type World } from '../../helpers/e2e-api.ts';
import { adminKubeconfigPath, apiOk, waitFor } from '../../helpers/sandbox.ts';

let world: World | undefined;

test.after(async () => {
  await world?.cleanup();
});

test('--watch: a watched object changes, the report follows from the watch event with no LIST', async () => {
  world = await makeWorld('e2e-swinc');
  const ns = await world.namespace('e2e-swinc');
  await world.cluster(ns, 'hippo');
  const flags = { ...globalFlagsOf({ color: 'never' }), kubeconfig: adminKubeconfigPath(), namespace: ns };
  const real = await connect(flags);
  let lists = 0;
  // Counts the LISTs; every other call goes to the real client as it is.
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'list') return (...a: Parameters<ApiClient['list']>) => (lists++, target.list(...a));
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const stop = new AbortController();
  const io = memoryIO();
  // No periodic refresh within the test: every LIST counted would be one the change caused.
  const deps = { ...(await defaultDeps()), connect: async () => client, stop: stop.signal, resyncMs: 600_000 };
  const run = runStatus(parseStatusArgs({ watch: true, output: 'json' }, flags), io, deps);
  const docs = () => io.stdout().split(/^(?=\{)/m).filter((d) => d.trim()).map((d) => JSON.parse(d) as StatusReport);
  const log = () => `--- stdout\n${io.stdout().slice(-3000)}\n--- stderr\n${io.stderr()}`;
  try {
    await waitFor('the first report', async () => docs().length >= 1, { timeoutMs: 60_000, intervalMs: 50 });
    const first = docs()[0].clusters.find((c) => c.name === 'hippo');
    assert.ok(first, log());
    // The watches are open once each has sent its first request; give them a moment.
    await new Promise((r) => setTimeout(r, 1500));
    const listsBefore = lists;
    const requestsBefore = real.requestCount;

    // Patroni moves its leader: the `-ha` Endpoints' annotation names another pod.
    await apiOk('PATCH', `/api/v1/namespaces/${ns}/endpoints/hippo-ha`, { metadata: { annotations: { leader: 'hippo-elsewhere-0' } } }, { contentType: 'application/merge-patch+json' });
    await waitFor('a report after the change', async () => docs().length >= 2, { timeoutMs: 30_000, intervalMs: 50 });
    const second = docs()[docs().length - 1];
    assert.not.equal(JSON.stringify(second.clusters), JSON.stringify(docs()[0].clusters), 'the report changed');
    assert.ok(JSON.stringify(second.clusters).includes('hippo-elsewhere-0'), log());
    assert.is(lists - listsBefore, 0, 'no LIST for a change');
    assert.is(real.requestCount - requestsBefore, 0, 'no request at all: the event came on an open watch');
  } finally {
    stop.abort();
  }
  assert.ok([0, 1, 2].includes(await run));
  assert.not.match(io.stderr(), /^error:/m, log());
});

test.run();
