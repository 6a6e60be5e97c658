// The sandbox's PGO model: `node --import tsx scripts/sandbox/operator/model/main.ts`.
// Environment: KUBECONFIG (required), KUBE_BIN_DIR (kubectl for pod exec), RELATED_IMAGE_*,
// CRUNCHY_DEBUG=true for debug lines, PGO_MODEL_RESYNC_SECONDS (default 300).
import { Controller } from './controller.ts';
import { apiEventRecorder } from './events.ts';
import { defaultKubectl, kubectlExec } from './exec.ts';
import { Kube, loadKubeconfig } from './kube.ts';
import { Logger } from './log.ts';

const kubeconfig = process.env.KUBECONFIG;
if (!kubeconfig) {
  process.stderr.write('error: KUBECONFIG must name the admin kubeconfig\n');
  process.exit(1);
}
const log = new Logger();
const kube = new Kube(loadKubeconfig(kubeconfig));
const controller = new Controller(
  kube,
  { kube, exec: kubectlExec(defaultKubectl(), kubeconfig), env: process.env, log, events: apiEventRecorder(kube) },
  log,
  { workers: 2, resyncMs: Number(process.env.PGO_MODEL_RESYNC_SECONDS ?? 300) * 1000 },
);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    log.info('Stopping and waiting for workers');
    controller.stop();
    process.exit(0);
  });
}
log.info('starting sandbox PGO model', { version: 'model-of-5.8.9' });
controller.run().catch((e) => {
  log.error('controller stopped', { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
