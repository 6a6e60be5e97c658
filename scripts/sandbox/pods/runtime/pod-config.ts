// Turns an operator-made database pod into a local Patroni process: the container's command and
// environment, unchanged paths (the process runs in the pod's own view of the filesystem, see
// pod-view.ts), plus only the overrides a container and its node would otherwise provide
// (loopback addresses and ports, no TLS for PostgreSQL and Patroni's REST API).
// Pure functions; the runtime (main.ts) fetches objects and writes files.
import type { KObj } from '../../kube/types.ts';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const LOCAL_CONFIG_FILE = '~~sandbox-local.yaml'; // sorts after the operator's `~postgres-operator_*.yaml`

export interface Mount {
  mountPath: string;
  local: string;
}

export interface Ports {
  postgres: number;
  api: number;
}

export function databaseContainer(pod: KObj): any | undefined {
  const cs: any[] = pod.spec?.containers ?? [];
  return cs.find((c) => c.name === 'database') ?? cs.find((c) => (c.command ?? [])[0] === 'patroni');
}

/** A container path as the runtime itself reaches it on the host (the pod's processes see the container path). */
export function rewritePaths(s: string, mounts: Mount[]): string {
  if (mounts.length === 0) return s;
  const sorted = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  const esc = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[^\\w./~-])(${sorted.map((m) => esc(m.mountPath.replace(/\/+$/, ''))).join('|')})(?=$|[/\\s'"=:;,)])`, 'g');
  return s.replace(re, (_all, pre: string, mp: string) => pre + sorted.find((m) => m.mountPath.replace(/\/+$/, '') === mp)!.local);
}

function fieldRef(pod: KObj, fieldPath: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (pod.metadata as any)[m[1]]?.[m[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    default: return '';
  }
}

export type KeyLookup = (kind: 'configMap' | 'secret', name: string, key: string) => string | undefined;

/** The container's environment as the kubelet would set it ($(VAR) expansion included). */
export function containerEnv(pod: KObj, container: any, lookup: KeyLookup): Record<string, string> {
  const env: Record<string, string> = {};
  const expand = (v: string) => v.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name?: string) =>
    all === '$$' ? '$' : name !== undefined && name in env ? env[name] : all);
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = expand(String(e.value));
    else if (e.valueFrom?.fieldRef) env[e.name] = fieldRef(pod, e.valueFrom.fieldRef.fieldPath);
    else if (e.valueFrom?.configMapKeyRef) {
      const v = lookup('configMap', e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.key);
      if (v !== undefined) env[e.name] = v;
    } else if (e.valueFrom?.secretKeyRef) {
      const v = lookup('secret', e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
      if (v !== undefined) env[e.name] = v;
    }
  }
  return env;
}

const DROP_ENV = new Set(['LD_PRELOAD', 'NSS_WRAPPER_PASSWD', 'NSS_WRAPPER_GROUP']);

/** nss_wrapper is not installed; the postgres user exists. */
export function withoutNssWrapper(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !DROP_ENV.has(k)));
}

/** Container env with loopback addresses; what stays is the operator's. */
export function localEnv(env: Record<string, string>, ports: Ports, containerPort: number): Record<string, string> {
  const out = withoutNssWrapper(env);
  const pg = `127.0.0.1:${ports.postgres}`;
  const api = `127.0.0.1:${ports.api}`;
  const set = (k: string, v: string) => { out[k] = v; };
  set('PATRONI_POSTGRESQL_LISTEN', pg);
  set('PATRONI_POSTGRESQL_CONNECT_ADDRESS', pg);
  set('PATRONI_RESTAPI_LISTEN', api);
  set('PATRONI_RESTAPI_CONNECT_ADDRESS', api);
  set('PGPORT', String(ports.postgres));
  if (out.PATRONI_KUBERNETES_PORTS) {
    // The Endpoints Patroni writes name the port the database really listens on.
    out.PATRONI_KUBERNETES_PORTS = out.PATRONI_KUBERNETES_PORTS.replace(
      new RegExp(`(port:\\s*)${containerPort}\\b`, 'g'), `$1${ports.postgres}`);
  }
  return out;
}

export function deepMerge(base: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: any = base && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = deepMerge(out[k], v);
  }
  return out;
}

export interface OverrideInput {
  operatorConfig: any;  // the merged patroni.yaml files the operator wrote
  ports: Ports;
  podName: string;
  podIP: string;
  socketDir: string;
  kubeContext: string;
}

/** The local configuration file's content: the container's and node's part, nothing else. */
export function localOverrides(i: OverrideInput): any {
  const tlsOff = { sslmode: 'disable', sslcert: null, sslkey: null, sslrootcert: null, sslcrl: null, sslpassword: null };
  const auth: any = {};
  for (const who of ['superuser', 'replication', 'rewind']) {
    if (i.operatorConfig?.postgresql?.authentication?.[who]) auth[who] = tlsOff;
  }
  const fixed = {
    name: i.podName,
    kubernetes: { context: i.kubeContext, bypass_api_service: false, pod_ip: i.podIP },
    restapi: {
      listen: `127.0.0.1:${i.ports.api}`, connect_address: `127.0.0.1:${i.ports.api}`,
      certfile: null, keyfile: null, cafile: null, verify_client: null,
    },
    ctl: { insecure: true, certfile: null, keyfile: null, cacert: null },
    postgresql: {
      listen: `127.0.0.1:${i.ports.postgres}`, connect_address: `127.0.0.1:${i.ports.postgres}`,
      bin_dir: PG_BIN,
      authentication: auth,
      // Local parameters win over the dynamic configuration the operator pushes with
      // `patronictl edit-config`. TLS stays off (connections go to loopback addresses the
      // certificates do not name); pgAudit and pgBackRest archiving are real and not overridden.
      // checkpoint_timeout: PGO's replica-create backup runs without --start-fast and waits for
      // the next checkpoint, holding pgBackRest's lock meanwhile (stanza-create then fails with
      // "unable to acquire lock"): 5 minutes of PostgreSQL's default is nothing in a cluster that
      // runs for days, and most of the life of a sandbox cluster.
      parameters: {
        ssl: 'off', ssl_cert_file: '', ssl_key_file: '', ssl_ca_file: '',
        unix_socket_directories: i.socketDir,
        checkpoint_timeout: '30s',
      },
      pg_hba: [
        'local all all trust',
        'host all all 127.0.0.1/32 trust',
        'host replication all 127.0.0.1/32 trust',
      ],
    },
  };
  return fixed;
}
