// `kubectl pgo version`: this client, Crunchy's kubectl-pgo when it is on PATH too, and the
// operator in the cluster. A cluster problem never hides the client part (exit 1, as kubectl version).
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { IO } from '../cli/io.ts';
import { CRUNCHY_VERBS } from '../passthrough/decide.ts';
import { CALLED_AS_PEER_ENV, findPeer, selfPaths } from '../passthrough/find-peer.ts';
import { clientInfo, type ClientInfo } from './client.ts';
import { versionFrom, type OperatorInfo } from './operator.ts';

export interface VersionReport {
  clientVersion: ClientInfo;
  crunchyClient?: { path: string; version?: string; line?: string; error?: string };
  operator?: OperatorInfo;
  serverError?: string;
}

export interface VersionOptions {
  flags: GlobalFlags;
  clientOnly: boolean;
  output?: 'json' | 'yaml';
  io: IO;
}

export async function collectVersion(o: Pick<VersionOptions, 'flags' | 'clientOnly'>): Promise<VersionReport> {
  const report: VersionReport = { clientVersion: await clientInfo() };
  const peer = process.env[CALLED_AS_PEER_ENV] ? undefined : findPeer({ env: process.env, self: selfPaths() });
  const peerAnswer = peer
    ? import('../passthrough/run.ts').then(({ peerVersion }) => peerVersion(peer, selfPaths().at(-1)!))
    : undefined;
  if (!o.clientOnly) {
    try {
      const [{ connect }, { findOperator }] = await Promise.all([import('../kube/connect.ts'), import('./operator.ts')]);
      report.operator = await findOperator(await connect(o.flags));
    } catch (e) {
      report.serverError = (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/^error:\s*/, '');
    }
  }
  if (peer && peerAnswer) {
    const a = await peerAnswer;
    report.crunchyClient = { path: peer, version: versionFrom(a.line), line: a.line, error: a.error };
  }
  return report;
}

export function renderText(r: VersionReport): string {
  const c = r.clientVersion;
  const lines = [
    `Client Version: ${c.version}`,
    `Commit: ${c.commit}`,
    `Runtime: node ${c.runtime.node} (${c.runtime.singleExecutable ? 'single executable' : 'run by node'}, ${c.runtime.platform})`,
  ];
  if (r.crunchyClient) {
    const p = r.crunchyClient;
    const what = p.version ?? p.line ?? `unknown (${p.error})`;
    lines.push(`Crunchy kubectl-pgo: ${what} at ${p.path} (runs: ${CRUNCHY_VERBS.join(', ')})`);
  }
  if (r.operator) {
    const op = r.operator;
    const where = op.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}${w.image ? ` image ${w.image}` : ''}`).join('; ');
    lines.push(`Operator Version: ${op.version ?? 'unknown'}${where ? ` (${where})` : ''}`);
    if (op.crdVersion && op.crdVersion !== op.version) lines.push(`CRD Version: ${op.crdVersion} (postgresclusters label app.kubernetes.io/version)`);
    for (const n of op.notes) lines.push(`Note: ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function runVersion(o: VersionOptions): Promise<number> {
  const r = await collectVersion(o);
  if (o.output === 'json') o.io.out(`${JSON.stringify(r, null, 2)}\n`);
  else if (o.output === 'yaml') {
    const { dump } = await import('js-yaml');
    o.io.out(dump(JSON.parse(JSON.stringify(r)), { lineWidth: -1 }));
  } else o.io.out(renderText(r));
  if (r.serverError) {
    o.io.err(`error: the operator version is missing: ${r.serverError}\n`);
    return 1;
  }
  return 0;
}
