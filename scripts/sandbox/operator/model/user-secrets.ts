// The `<cluster>-pguser-<user>` Secrets PGO writes for each PostgreSQL user (or one user named after
// the cluster when spec.users is unset): password, SCRAM-SHA-256 verifier and connection details
// through the primary Service. An existing password and verifier are kept, as PGO keeps them.
import { createHash, createHmac, pbkdf2Sync, randomBytes, randomInt } from 'node:crypto';
import type { KObj } from '../../kube/types.ts';
import { LABEL, PREFIX, names } from './naming.ts';
import { ownerRef } from './objects.ts';
import type { ClusterSpec } from './spec.ts';

export const LABEL_PGUSER = `${PREFIX}pguser`;
export const ROLE_PGUSER = 'pguser';

export interface UserSpec {
  name: string;
  databases: string[];
  options: string;
}

/** spec.users, or PGO's default: one user and one database named after the cluster. */
export function specUsers(c: ClusterSpec, raw: unknown): UserSpec[] {
  if (!Array.isArray(raw)) {
    return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(c.name) && c.name.length <= 63 ? [{ name: c.name, databases: [c.name], options: '' }] : [];
  }
  return raw.map((u: { name: string; databases?: string[]; options?: string }) => ({ name: u.name, databases: [...(u.databases ?? [])], options: u.options ?? '' }));
}

/** PGO's AlphaNumeric password type, 24 characters (its default length). */
export function generatePassword(n = 24): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += chars[randomInt(chars.length)];
  return s;
}

/** A PostgreSQL SCRAM-SHA-256 verifier (4096 iterations, 16-byte salt, as PGO builds it). */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

/** The Secret for one user; `existing` (as read) keeps its password and verifier. */
export function userSecret(c: ClusterSpec, user: UserSpec, existing: KObj | undefined): { secret: KObj; verifier: string } {
  const host = `${names.primaryService(c.name)}.${c.namespace}.svc`;
  const port = String(c.port);
  let password = unb64(existing?.data?.password);
  let verifier = unb64(existing?.data?.verifier);
  if (!password) {
    password = generatePassword();
    verifier = '';
  }
  if (!verifier) verifier = scramVerifier(password);
  const data: Record<string, string> = { host, port, user: user.name, password, verifier };
  if (user.databases.length) {
    const db = user.databases[0];
    const enc = encodeURIComponent;
    data.dbname = db;
    data.uri = `postgresql://${enc(user.name)}:${enc(password)}@${host}:${port}/${enc(db)}`;
    data['jdbc-uri'] = `jdbc:postgresql://${host}:${port}/${enc(db)}?password=${enc(password)}&user=${enc(user.name)}`;
  }
  const secret: KObj = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `${c.name}-pguser-${user.name}`,
      namespace: c.namespace,
      labels: { ...(c.metadata?.labels ?? {}), [LABEL.cluster]: c.name, [LABEL.role]: ROLE_PGUSER, [LABEL_PGUSER]: user.name },
      ...(c.metadata?.annotations ? { annotations: c.metadata.annotations } : {}),
      ownerReferences: [ownerRef(c)],
    },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
  return { secret, verifier };
}
