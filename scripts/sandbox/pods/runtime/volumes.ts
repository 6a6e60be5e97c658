// The sandbox's volume provisioner: every PersistentVolumeClaim without a storage class that is
// still Pending gets a hostPath PersistentVolume pre-bound to it (claimRef with the claim's UID),
// under $PODS_ROOT/volumes/<claim UID>. The controller manager's PV controller then binds them,
// exactly as with static PVs made by an administrator. A Released PV of ours (its claim is gone)
// is deleted with its directory, which is what reclaimPolicy Delete would do on a real provisioner.
import fs from 'node:fs';
import path from 'node:path';
import { Kube, type KObj } from '../../kube/client.ts';
import { logLine, requireEnv, serveControl } from './control.ts';

const root = requireEnv('PODS_ROOT');
const kube = Kube.fromEnv();
const LABEL = 'sandbox.kubectl-pgo/provisioner';
const log = (m: string) => logLine('volumes', m);

export function volumeDir(pvcUid: string): string {
  return path.join(root, 'volumes', pvcUid);
}

function wantsVolume(pvc: KObj): boolean {
  const sc = pvc.spec?.storageClassName;
  return pvc.status?.phase === 'Pending' && !pvc.spec?.volumeName && (sc === undefined || sc === null || sc === '') &&
    !pvc.metadata.deletionTimestamp;
}

function pvFor(pvc: KObj): KObj {
  const uid = pvc.metadata.uid!;
  const dir = volumeDir(uid);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pvc-${uid}`, labels: { [LABEL]: 'pods-volumes' } },
    spec: {
      capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid },
    },
  };
}

async function cycle(): Promise<void> {
  const [pvcs, pvs] = (await Promise.all([kube.list('/api/v1/persistentvolumeclaims'), kube.list('/api/v1/persistentvolumes', LABEL)])).map((l) => l.items);
  const have = new Set(pvs.map((p) => p.metadata.name));
  for (const pvc of pvcs.filter(wantsVolume)) {
    const pv = pvFor(pvc);
    if (have.has(pv.metadata.name)) continue;
    fs.mkdirSync(pv.spec.hostPath.path, { recursive: true, mode: 0o755 });
    try {
      await kube.create('/api/v1/persistentvolumes', pv);
      log(`created ${pv.metadata.name} for ${pvc.metadata.namespace}/${pvc.metadata.name} (${pv.spec.capacity.storage})`);
    } catch (e) {
      log(`create ${pv.metadata.name}: ${(e as Error).message}`);
    }
  }
  for (const pv of pvs) {
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') continue;
    await kube.delete(`/api/v1/persistentvolumes/${pv.metadata.name}`);
    const dir = pv.spec?.hostPath?.path as string | undefined;
    if (dir && dir.startsWith(path.join(root, 'volumes') + '/')) fs.rmSync(dir, { recursive: true, force: true });
    log(`deleted released ${pv.metadata.name} and its directory`);
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(path.join(root, 'volumes'), { recursive: true, mode: 0o755 });
  let stopping = false;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => { stopping = true; process.exit(0); });
  await serveControl('pods-volumes', root, async () => ({ status: 404, body: { error: 'not found' } }));
  log('watching PersistentVolumeClaims');
  while (!stopping) {
    try {
      await cycle();
    } catch (e) {
      log(`cycle: ${(e as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

void main();
