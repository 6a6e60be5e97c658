// Kubeconfig files merged with kubectl's rules (client-go's loading rules), not client-node's:
// - --kubeconfig: exactly that file, which must exist;
// - else KUBECONFIG, paths separated by ':' (';' on Windows): missing files are skipped, the first
//   file that sets current-context wins, and for a name defined twice the first definition is kept;
// - else ~/.kube/config.
// Relative file references (certificates, keys, token files, exec commands with a path) are
// resolved against the directory of the file that defined them, as client-go does.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { ExitError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface NamedEntry<T> {
  name: string;
  value: T;
  /** The file it came from. */
  file: string;
}

export interface MergedKubeconfig {
  files: string[]; // files actually read, in order
  currentContext?: string;
  clusters: Map<string, NamedEntry<Raw>>;
  users: Map<string, NamedEntry<Raw>>;
  contexts: Map<string, NamedEntry<Raw>>;
}

export interface ResolvedContext {
  contextName: string;
  cluster: Raw & { name: string };
  user: Raw & { name: string };
  /** The context's namespace, else "default". */
  namespace: string;
}

/** The files to read, in precedence order, and whether they must exist. */
export function kubeconfigPaths(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { paths: string[]; explicit: boolean } {
  if (flag) return { paths: [flag], explicit: true };
  const list = env.KUBECONFIG;
  if (list && list.trim() !== '') {
    const seen = new Set<string>();
    const paths: string[] = [];
    for (const p of list.split(delimiter)) {
      if (p === '' || seen.has(p)) continue;
      seen.add(p);
      paths.push(p);
    }
    return { paths, explicit: false };
  }
  const home = env.HOME || homedir();
  return { paths: [join(home, '.kube', 'config')], explicit: false };
}

export function loadKubeconfig(paths: string[], explicit: boolean): MergedKubeconfig {
  const merged: MergedKubeconfig = { files: [], clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of paths) {
    if (!existsSync(file)) {
      if (explicit) throw new ExitError(`error: stat ${file}: no such file or directory`);
      continue;
    }
    if (statSync(file).isDirectory()) {
      if (explicit) throw new ExitError(`error: error loading config file "${file}": read ${file}: is a directory`);
      continue;
    }
    let doc: unknown;
    const text = readFileSync(file, 'utf8');
    try {
      doc = loadAll(text)[0]; // loadAll: an empty or comment-only file is an empty config, not an error
    } catch (e) {
      throw new ExitError(`error: error loading config file "${file}": ${yamlReason(e)}`);
    }
    if (doc === null || doc === undefined) {
      merged.files.push(file); // an empty file is a valid, empty config for kubectl
      continue;
    }
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      throw new ExitError(`error: error loading config file "${file}": not a kubeconfig (expected a mapping with clusters, users and contexts)`);
    }
    const cfg = doc as Raw;
    merged.files.push(file);
    const dir = dirname(resolve(file));
    if (!merged.currentContext && typeof cfg['current-context'] === 'string' && cfg['current-context'] !== '') {
      merged.currentContext = cfg['current-context'];
    }
    addNamed(merged.clusters, cfg.clusters, 'cluster', file, (c) => absolutizeCluster(c, dir));
    addNamed(merged.users, cfg.users, 'user', file, (u) => absolutizeUser(u, dir));
    addNamed(merged.contexts, cfg.contexts, 'context', file, (c) => c);
  }
  return merged;
}

function addNamed(into: Map<string, NamedEntry<Raw>>, list: unknown, key: string, file: string, fix: (v: Raw) => Raw): void {
  if (list === null || list === undefined) return;
  if (!Array.isArray(list)) throw new ExitError(`error: error loading config file "${file}": ${key}s must be a list`);
  for (const item of list) {
    if (!item || typeof item !== 'object' || typeof item.name !== 'string' || item.name === '') continue;
    if (into.has(item.name)) continue; // first definition wins, as in kubectl
    into.set(item.name, { name: item.name, value: fix({ ...(item[key] ?? {}) }), file });
  }
}

function abs(dir: string, p: unknown): unknown {
  return typeof p === 'string' && p !== '' && !isAbsolute(p) ? join(dir, p) : p;
}

function absolutizeCluster(c: Raw, dir: string): Raw {
  if (c['certificate-authority']) c['certificate-authority'] = abs(dir, c['certificate-authority']);
  return c;
}

function absolutizeUser(u: Raw, dir: string): Raw {
  // `tokenFile` is the kubeconfig key (client-go's AuthInfo json tag); `token-file` is not one and is ignored, as by kubectl.
  for (const k of ['client-certificate', 'client-key', 'tokenFile']) {
    if (u[k]) u[k] = abs(dir, u[k]);
  }
  // client-go: an exec command containing a path separator is relative to the kubeconfig's directory;
  // a bare name is looked up on PATH.
  if (u.exec && typeof u.exec.command === 'string' && u.exec.command.includes('/') && !isAbsolute(u.exec.command)) {
    u.exec = { ...u.exec, command: join(dir, u.exec.command) };
  }
  return u;
}

/** kubectl's global flags that override the kubeconfig (client-go's ConfigOverrides). */
export type Overrides = Pick<GlobalFlags, 'cluster' | 'user' | 'server' | 'token' | 'insecureSkipTlsVerify' | 'certificateAuthority' | 'as' | 'asGroups' | 'asUid' | 'disableCompression'>;

/** Picks the context (--context, else current-context) and what it points to, with the flags' overrides. */
export function resolveContext(cfg: MergedKubeconfig, contextFlag: string | undefined, ov: Overrides = {}): ResolvedContext {
  const where = cfg.files.length ? cfg.files.join(':') : '(none found)';
  if (cfg.files.length === 0 && !contextFlag && !ov.server) {
    throw new ExitError(`error: no kubeconfig found (looked for ${where === '(none found)' ? 'KUBECONFIG or ~/.kube/config' : where}); set KUBECONFIG or pass --kubeconfig`);
  }
  const name = contextFlag || cfg.currentContext;
  if (!name && !ov.server && !ov.cluster) {
    throw new ExitError(`error: current-context is not set in ${where}; pass --context or run "kubectl config use-context NAME"`);
  }
  const ctx = name ? cfg.contexts.get(name) : undefined;
  if (name && !ctx) {
    if (contextFlag) throw new ExitError(`error: context "${name}" does not exist`);
    throw new ExitError(`error: invalid configuration: current-context "${name}" does not exist in ${where}`);
  }
  const ctxValue = ctx?.value ?? {};
  const clusterName = ov.cluster || ctxValue.cluster;
  let cluster = typeof clusterName === 'string' ? cfg.clusters.get(clusterName) : undefined;
  if (!cluster && ov.cluster) throw new ExitError(`error: cluster "${ov.cluster}" does not exist`);
  if (!cluster && ov.server) cluster = { name: typeof clusterName === 'string' ? clusterName : '', value: {}, file: '' };
  if (!cluster) throw new ExitError(`error: invalid configuration: cluster "${clusterName ?? ''}" was not found for context "${name}"`);
  const clusterValue = overrideCluster({ ...cluster.value }, ov);
  if (!clusterValue.server) throw new ExitError(`error: invalid configuration: cluster "${cluster.name}" has no server defined`);
  const userName = ov.user || ctxValue.user;
  let user: NamedEntry<Raw> | undefined;
  if (typeof userName === 'string' && userName !== '') {
    user = cfg.users.get(userName);
    if (!user && ov.user) throw new ExitError(`error: auth info "${ov.user}" does not exist`);
    if (!user) throw new ExitError(`error: invalid configuration: user "${userName}" was not found for context "${name}"`);
  }
  const ns = typeof ctxValue.namespace === 'string' && ctxValue.namespace !== '' ? ctxValue.namespace : 'default';
  return {
    contextName: name ?? '',
    cluster: { ...clusterValue, name: cluster.name },
    user: { ...overrideUser({ ...(user?.value ?? {}) }, ov), name: user?.name ?? '' },
    namespace: ns,
  };
}

/** client-go's getCluster overrides: --server drops tls-server-name; --insecure-skip-tls-verify drops the CA; --certificate-authority drops insecure and CA data. */
export function overrideCluster(c: Raw, ov: Overrides): Raw {
  if (ov.server) {
    c.server = ov.server;
    delete c['tls-server-name'];
  }
  if (ov.insecureSkipTlsVerify || ov.certificateAuthority) {
    c['insecure-skip-tls-verify'] = Boolean(ov.insecureSkipTlsVerify);
    delete c['certificate-authority-data'];
    if (ov.certificateAuthority) c['certificate-authority'] = resolve(ov.certificateAuthority);
    else delete c['certificate-authority'];
  }
  if (ov.disableCompression) c['disable-compression'] = true;
  return c;
}

/** Flag values replace the kubeconfig's (a --token next to a kubeconfig tokenFile still loses to the file, as in kubectl). */
export function overrideUser(u: Raw, ov: Overrides): Raw {
  if (ov.token) u.token = ov.token;
  if (ov.as) u.as = ov.as;
  if (ov.asGroups?.length) u['as-groups'] = ov.asGroups;
  if (ov.asUid) u['as-uid'] = ov.asUid;
  return u;
}

function yamlReason(e: unknown): string {
  const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
  if (err.mark && err.reason) return `yaml: line ${err.mark.line + 1}: ${err.reason}`;
  return oneLineMsg(err.message ?? String(e));
}

function oneLineMsg(s: string): string {
  return s.split('\n')[0];
}
