// client.authentication.k8s.io exec credential plugins (v1, v1beta1), run as client-go's exec
// authenticator runs them (plugin/pkg/client/auth/exec): interactiveMode decides whether the
// plugin gets our stdin, KUBERNETES_EXEC_INFO carries the whole cluster when provideClusterInfo
// is set, and the answer is checked (same apiVersion, a token or a certificate and key pair).
import { spawn } from 'node:child_process';
import { ExitError } from '../cli/exit.ts';
import { NetworkError, oneLine } from './errors.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

/** What client-go's ConfigToExecCluster puts in spec.cluster (JSON names of the v1 type). */
export interface ExecCluster {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  /** base64, as a Go []byte marshals */
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
  'disable-compression'?: boolean;
  config?: unknown;
}

const VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

/** clientcmd's validation of an exec stanza, with its messages; returns the interactiveMode in force. */
export function checkExecConfig(exec: Raw, user: string): 'Never' | 'IfAvailable' | 'Always' {
  if (!exec.command) throw new ExitError(`error: command must be specified for ${user} to use exec authentication plugin`);
  if (!exec.apiVersion) throw new ExitError(`error: apiVersion must be specified for ${user} to use exec authentication plugin`);
  // client-go knows v1 and v1beta1 only (v1alpha1 was removed in 1.24)
  if (!VERSIONS.includes(String(exec.apiVersion))) {
    throw new ExitError(`error: exec plugin: invalid apiVersion "${exec.apiVersion}"`);
  }
  for (const e of (exec.env ?? []) as Array<{ name?: string }>) {
    if (!e?.name) throw new ExitError(`error: env variable name must be specified for ${user} to use exec authentication plugin`);
  }
  // v1beta1 defaults to IfAvailable; v1 requires the field (clientcmd/api/v1 defaults).
  const mode = exec.interactiveMode ?? (String(exec.apiVersion) === 'client.authentication.k8s.io/v1' ? '' : 'IfAvailable');
  if (mode === '') throw new ExitError(`error: interactiveMode must be specified for ${user} to use exec authentication plugin`);
  if (!['Never', 'IfAvailable', 'Always'].includes(mode)) throw new ExitError(`error: invalid interactiveMode for ${user}: "${mode}"`);
  return mode;
}

export interface ExecRun {
  exec: Raw;
  user: string;
  mode: 'Never' | 'IfAvailable' | 'Always';
  /** undefined unless provideClusterInfo */
  cluster?: ExecCluster;
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
}

/** Runs the plugin once; rejects with kubectl's "getting credentials: ..." line. */
export function runExecPlugin(r: ExecRun): Promise<ExecCredentialStatus> {
  const { exec } = r;
  const command = String(exec.command);
  const apiVersion = String(exec.apiVersion);
  const fail = (msg: string) => new NetworkError(`error: getting credentials: ${msg}`, 'credentials');
  if (r.mode === 'Always' && !r.stdinIsTTY) return Promise.reject(fail('exec plugin cannot support interactive mode: standard input is not a terminal'));
  const interactive = r.mode === 'Always' || (r.mode === 'IfAvailable' && r.stdinIsTTY);
  const info: Raw = { apiVersion, kind: 'ExecCredential', spec: { interactive } };
  if (r.cluster) info.spec.cluster = r.cluster;
  const childEnv: NodeJS.ProcessEnv = { ...r.env };
  for (const e of (exec.env ?? []) as Array<{ name: string; value: string }>) childEnv[e.name] = e.value;
  childEnv.KUBERNETES_EXEC_INFO = JSON.stringify(info);
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];

  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    // stderr goes to the user as well: plugins print login prompts and warnings there.
    const child = spawn(command, args, { env: childEnv, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      process.stderr.write(d);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      const hint = exec.installHint ? ` (${oneLine(String(exec.installHint))})` : '';
      reject(e.code === 'ENOENT' ? fail(`exec: executable ${command} not found${hint}`) : fail(`exec: ${command}: ${oneLine(e.message)}`));
    });
    child.on('close', (code) => {
      if (code !== 0) {
        const last = err.trim().split('\n').pop() ?? '';
        reject(fail(`exec plugin ${command} failed with exit code ${code}${last ? `: ${oneLine(last)}` : ''}`));
        return;
      }
      let cred: { apiVersion?: string; kind?: string; status?: ExecCredentialStatus };
      try {
        cred = JSON.parse(out);
      } catch {
        reject(fail(`exec plugin ${command} did not print an ExecCredential (not JSON)`));
        return;
      }
      if (cred?.apiVersion !== apiVersion) {
        reject(fail(`exec plugin is configured to use API version ${apiVersion}, plugin returned version ${cred?.apiVersion ?? ''}`));
        return;
      }
      const st = cred.status;
      if (cred.kind !== 'ExecCredential' || !st) return reject(fail(`exec plugin didn't return a status field`));
      if (!st.token && !st.clientCertificateData && !st.clientKeyData) return reject(fail(`exec plugin didn't return a token or cert/key pair`));
      if (!st.clientCertificateData !== !st.clientKeyData) return reject(fail('exec plugin returned only certificate or key, not both'));
      resolve(st);
    });
  });
}
