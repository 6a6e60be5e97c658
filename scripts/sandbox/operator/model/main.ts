// The sandbox's PGO model, run by the supervisor from one bundle of this file (../../bundle.mjs);
// by hand: `node --import tsx scripts/sandbox/operator/model/main.ts`.
// Environment: KUBECONFIG (required), KUBE_BIN_DIR (kubectl for pod exec), RELATED_IMAGE_*,
// CRUNCHY_DEBUG=true for debug lines, PGO_FEATURE_GATES, PGO_MODEL_RESYNC_SECONDS (default 300).
// Start-up and shut-down are logged with the lines PGO's manager writes (those of the
// postgrescluster controller; the model runs no other controller).
import { Controller } from './controller.ts';
import { apiEventRecorder } from './events.ts';
import { defaultKubectl, kubectlExec } from './exec.ts';
import { Kube } from '../../kube/client.ts';
import { Logger } from './log.ts';
import { logManagerStart, logShutdownEnd, logShutdownStart } from './manager-log.ts';

const kubeconfig = process.env.KUBECONFIG;
if (!kubeconfig) {
  process.stderr.write('error: KUBECONFIG must name the admin kubeconfig\n');
  process.exit(1);
}
const log = new Logger();
const kube = Kube.fromFile(kubeconfig);
const controller = new Controller(
  kube,
  { kube, exec: kubectlExec(defaultKubectl(), kubeconfig), env: process.env, log, events: apiEventRecorder(kube, log) },
  log,
  { workers: 2, resyncMs: Number(process.env.PGO_MODEL_RESYNC_SECONDS ?? 300) * 1000 },
);
let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    logShutdownStart(log, sig === 'SIGTERM' ? 'terminated' : 'interrupt');
    controller.stop();
    logShutdownEnd(log);
    process.exit(0);
  });
}

async function main(): Promise<void> {
  const version = await kube.request<{ gitVersion?: string }>('GET', '/version');
  logManagerStart(log, version.gitVersion ?? '', process.env.PGO_FEATURE_GATES ?? '');
  await controller.run();
}

main().catch((e) => {
  log.error(e, 'problem running manager');
  process.exit(1);
});
