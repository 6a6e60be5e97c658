// Tests only: the hand-written cluster fixtures as snapshots, and small tools to bend one object
// at a time so each check test shows exactly what makes a finding appear.
import type { CheckOptions, Finding, KObject, Snapshot, SnapshotObjects } from '../../lib/model/types.ts';
import { DEFAULT_MAX_LAG_BYTES } from '../../lib/checks/index.ts';
import { fixture, snapshotFromYaml, type FromYamlOptions } from './snapshot-from-yaml.ts';

export const NOW = new Date('2026-11-25T16:30:00Z');
export const opts: CheckOptions = { maxLagBytes: DEFAULT_MAX_LAG_BYTES, now: NOW };
export const HIPPO = { namespace: 'db', name: 'hippo' };

/** db/hippo (healthy, 2 replicas, repo host, pgBouncer, one good backup) with the operator running. */
export function base(o: FromYamlOptions & { operator?: boolean } = {}): Snapshot {
  const files = [fixture('clusters/base.yaml')];
  if (o.operator !== false) files.push(fixture('clusters/operator.yaml'));
  return snapshotFromYaml(files, { takenAt: NOW.toISOString(), ...o });
}

export function obj(snap: Snapshot, list: keyof SnapshotObjects, name: string): KObject {
  const o = snap.objects[list].find((x) => x.metadata.name === name);
  if (!o) throw new Error(`fixture has no ${list} named ${name}`);
  return o;
}

export function remove(snap: Snapshot, list: keyof SnapshotObjects, name: string): void {
  obj(snap, list, name);
  snap.objects[list] = snap.objects[list].filter((x) => x.metadata.name !== name);
}

export const hippo = (snap: Snapshot) => obj(snap, 'postgresClusters', 'hippo');

/** Merge into the Patroni member JSON a pod carries in its `status` annotation. */
export function setMember(pod: KObject, patch: Record<string, unknown>): void {
  const cur = JSON.parse(pod.metadata.annotations!.status);
  pod.metadata.annotations!.status = JSON.stringify({ ...cur, ...patch });
}

export const codes = (fs: Finding[]) => fs.map((f) => f.code);
export const byCode = (fs: Finding[], code: string) => fs.filter((f) => f.code === code);
export const one = (fs: Finding[], code: string): Finding => {
  const m = byCode(fs, code);
  if (m.length !== 1) throw new Error(`expected one ${code}, got ${m.length}: ${codes(fs).join(', ')}`);
  return m[0];
};
