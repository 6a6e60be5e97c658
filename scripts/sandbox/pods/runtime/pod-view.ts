// A pod's filesystem as its containers see it: the kubelet's part. Volumes are written on the
// host (ConfigMap/Secret/projected/downwardAPI with the kubelet's atomic-writer layout, so a
// refresh swaps them whole), and each container gets a view file for shims/pod-enter that mounts
// them at their paths in a private mount namespace, plus the container's environment as JSON.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { KObj } from '../../kube/types.ts';

export type SourceKind = 'configMap' | 'secret';
/** The objects volumes and env read, by kind and name; null = not found. */
export type Sources = { configMap: Map<string, KObj | null>; secret: Map<string, KObj | null> };
export type Owner = { uid: number; gid: number } | undefined;

export function keyValue(obj: KObj | null | undefined, kind: SourceKind, key: string): Buffer | undefined {
  if (!obj) return undefined;
  if (kind === 'secret') return obj.data?.[key] !== undefined ? Buffer.from(obj.data[key], 'base64') : undefined;
  if (obj.data?.[key] !== undefined) return Buffer.from(obj.data[key], 'utf8');
  return obj.binaryData?.[key] !== undefined ? Buffer.from(obj.binaryData[key], 'base64') : undefined;
}

/** ConfigMap and Secret names a volume reads. */
export function volumeSources(vol: any): { kind: SourceKind; name: string }[] {
  const out: { kind: SourceKind; name: string }[] = [];
  if (vol.configMap) out.push({ kind: 'configMap', name: vol.configMap.name });
  if (vol.secret) out.push({ kind: 'secret', name: vol.secret.secretName });
  for (const s of vol.projected?.sources ?? []) {
    if (s.configMap) out.push({ kind: 'configMap', name: s.configMap.name });
    if (s.secret) out.push({ kind: 'secret', name: s.secret.name });
  }
  return out;
}

export type VolumeFile = { path: string; data: Buffer; mode: number };

/** The files of a configMap/secret/projected/downwardAPI volume, or the names it lacks. */
export function volumeFiles(pod: KObj, vol: any, sources: Sources): { files: VolumeFile[]; missing: string[] } {
  const files: VolumeFile[] = [];
  const missing: string[] = [];
  const fromObj = (kind: SourceKind, src: any, defaultMode: number) => {
    const name = kind === 'configMap' ? src.name : src.secretName ?? src.name;
    const obj = sources[kind].get(name);
    if (!obj) {
      if (!src.optional) missing.push(`${kind} ${name}`);
      return;
    }
    const items: { key: string; path: string; mode?: number }[] = src.items ??
      Object.keys({ ...(obj.data ?? {}), ...(obj.binaryData ?? {}) }).map((k) => ({ key: k, path: k }));
    for (const it of items) {
      const v = keyValue(obj, kind, it.key);
      if (v !== undefined) files.push({ path: it.path, data: v, mode: it.mode ?? src.defaultMode ?? defaultMode });
    }
  };
  const downward = (items: any[], defaultMode: number) => {
    for (const it of items ?? []) {
      if (!it.fieldRef) continue; // resourceFieldRef: no limits here
      const fp: string = it.fieldRef.fieldPath;
      const map = fp === 'metadata.labels' ? pod.metadata.labels : fp === 'metadata.annotations' ? pod.metadata.annotations : undefined;
      const text = map ? Object.entries(map).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n')
        : fp === 'metadata.name' ? pod.metadata.name : fp === 'metadata.namespace' ? pod.metadata.namespace ?? '' : '';
      files.push({ path: it.path, data: Buffer.from(text), mode: it.mode ?? defaultMode });
    }
  };
  const mode = vol.configMap?.defaultMode ?? vol.secret?.defaultMode ?? vol.downwardAPI?.defaultMode ?? vol.projected?.defaultMode ?? 0o644;
  if (vol.configMap) fromObj('configMap', vol.configMap, mode);
  if (vol.secret) fromObj('secret', vol.secret, mode);
  if (vol.downwardAPI) downward(vol.downwardAPI.items, mode);
  for (const s of vol.projected?.sources ?? []) {
    if (s.configMap) fromObj('configMap', s.configMap, mode);
    if (s.secret) fromObj('secret', s.secret, mode);
    if (s.downwardAPI) downward(s.downwardAPI.items, mode);
  }
  return { files, missing };
}

const digest = (files: VolumeFile[]) => {
  const h = crypto.createHash('sha256');
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) h.update(`${f.path}\0${f.mode}\0`).update(f.data).update('\0');
  return h.digest('hex').slice(0, 16);
};

/**
 * Writes the files as the kubelet's atomic writer does: into a fresh `..<stamp>` directory, then
 * `..data` is swapped to it in one rename and each top-level name is a link through `..data`.
 * A reader never sees half a change; a directory bind-mounted into a pod sees the new content.
 * Returns false when the content is what is already there. Files of ours beside them stay.
 */
export function writeAtomic(dir: string, files: VolumeFile[], owner: Owner): boolean {
  const stamp = `..${digest(files)}`;
  const dataLink = path.join(dir, '..data');
  let current: string | undefined;
  try {
    current = fs.readlinkSync(dataLink);
  } catch {
    /* first write */
  }
  if (current === stamp) return false;
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const target = path.join(dir, stamp);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { mode: 0o755 });
  const own = (p: string) => { if (owner) fs.chownSync(p, owner.uid, owner.gid); };
  own(dir);
  own(target);
  for (const f of files) {
    const file = path.join(target, f.path);
    for (let d = path.dirname(file); d.length > target.length && !fs.existsSync(d); d = path.dirname(d)) {
      fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    }
    fs.writeFileSync(file, f.data, { mode: f.mode });
    fs.chmodSync(file, f.mode);
    own(file);
    for (let d = path.dirname(file); d.length > target.length; d = path.dirname(d)) own(d);
  }
  const tmpLink = path.join(dir, '..data_tmp');
  fs.rmSync(tmpLink, { force: true });
  fs.symlinkSync(stamp, tmpLink);
  fs.renameSync(tmpLink, dataLink);
  const top = new Set(files.map((f) => f.path.split('/')[0]));
  for (const name of top) {
    const link = path.join(dir, name);
    try {
      if (fs.readlinkSync(link) === path.join('..data', name)) continue;
    } catch {
      /* absent */
    }
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(path.join('..data', name), link);
  }
  for (const e of fs.readdirSync(dir)) {
    const p = path.join(dir, e);
    if (e.startsWith('..') && e !== '..data' && e !== stamp) fs.rmSync(p, { recursive: true, force: true });
    else if (!e.startsWith('..') && !top.has(e)) {
      // Links of ours to keys that are gone; files the runtime put here itself stay.
      try {
        if (fs.readlinkSync(p).startsWith('..data/')) fs.rmSync(p);
      } catch {
        /* a plain file */
      }
    }
  }
  return true;
}

export interface ViewMount {
  mountPath: string;
  local: string;     // host path (directory or file)
  readOnly?: boolean;
}

export interface ContainerView {
  base: string;      // an empty host directory pod-enter mounts a tmpfs on
  user: { uid: number; gid: number };
  workDir: string;
  mounts: ViewMount[];
  tmpfs: string[];   // in-memory directories (emptyDir medium: Memory), e.g. /dev/shm
  hide: string[];    // host /etc files a container image would not have
}

/** The view file shims/pod-enter reads. */
export function viewFile(v: ContainerView): string {
  const lines = [`base ${v.base}`, `user ${v.user.uid} ${v.user.gid}`, `workdir ${v.workDir}`];
  // Parents first, so a volume inside another one (/etc/pgbackrest/server) lands on top.
  for (const m of [...v.mounts].sort((a, b) => a.mountPath.length - b.mountPath.length)) {
    if (/\s/.test(m.local + m.mountPath)) throw new Error(`whitespace in a mount path: ${m.local} -> ${m.mountPath}`);
    lines.push(`${m.readOnly ? 'robind' : 'bind'} ${m.local} ${m.mountPath}`);
  }
  for (const t of v.tmpfs) lines.push(`tmpfs ${t}`);
  for (const h of v.hide) lines.push(`hide ${h}`);
  return lines.join('\n') + '\n';
}

/** The pod's own address on loopback: 10.244.1.7 -> 127.244.1.7 (unique while kwok's are; each
 *  sandbox has a /16 of its own, scripts/sandbox/pods/lib.sh). */
export function loopbackIP(podIP: string | undefined): string | undefined {
  const m = /^\d+\.(\d+)\.(\d+)\.(\d+)$/.exec(podIP ?? '');
  return m ? `127.${m[1]}.${m[2]}.${m[3]}` : undefined;
}

/** The DNS names a pod with hostname + subdomain gets from cluster DNS, with and without the root dot. */
export function podDNSNames(pod: KObj, clusterDomain = 'cluster.local'): string[] {
  const host = pod.spec?.hostname;
  const sub = pod.spec?.subdomain;
  if (!host || !sub) return [];
  const fqdn = `${host}.${sub}.${pod.metadata.namespace}.svc.${clusterDomain}`;
  return [fqdn, `${fqdn}.`, `${host}.${sub}.${pod.metadata.namespace}.svc`];
}

/** /etc/hosts for every pod view: the host's own lines, then one line per pod we run. */
export function hostsFile(base: string, pods: KObj[]): string {
  const lines = pods.flatMap((p) => {
    const ip = loopbackIP(p.status?.podIP);
    const names = podDNSNames(p);
    return ip && names.length ? [`${ip}\t${names.join(' ')}`] : [];
  });
  return `${base.trimEnd()}\n# sandbox pods (scripts/sandbox/pods): each pod's DNS names -> its own loopback address\n${lines.sort().join('\n')}\n`;
}
