// A minimal Kubernetes REST client for the sandbox's own processes (the runtime and the volume
// provisioner). They run next to the apiserver as its admin, so this needs no kubeconfig
// parsing: APISERVER_URL and ADMIN_TOKEN come from .sandbox/env. The product's client lives in
// lib/kube/ and is not used here on purpose: the sandbox must not depend on the code under test.
import https from 'node:https';

export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
    ownerReferences?: unknown[];
    resourceVersion?: string;
  };
  [key: string]: any;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class Kube {
  private readonly agent = new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false });
  constructor(readonly server: string, private readonly token: string) {}

  static fromEnv(): Kube {
    const server = process.env.APISERVER_URL;
    const token = process.env.ADMIN_TOKEN;
    if (!server || !token) throw new Error('APISERVER_URL and ADMIN_TOKEN must be set (source .sandbox/env)');
    return new Kube(server, token);
  }

  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          timeout: 15_000,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve(text ? JSON.parse(text) : {});
              } catch {
                resolve(text);
              }
              return;
            }
            let msg = text;
            try {
              msg = JSON.parse(text).message ?? text;
            } catch {
              /* not JSON */
            }
            reject(new ApiError(status, `${method} ${url.pathname}: ${status} ${msg}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  async get<T = KObj>(path: string): Promise<T | undefined> {
    try {
      return await this.request('GET', path);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async list<T = KObj>(path: string): Promise<T[]> {
    const out = await this.request('GET', path);
    return (out.items ?? []) as T[];
  }

  create<T = KObj>(path: string, obj: unknown): Promise<T> {
    return this.request('POST', path, obj);
  }

  patch<T = KObj>(path: string, patch: unknown, type = 'application/merge-patch+json'): Promise<T> {
    return this.request('PATCH', path, patch, type);
  }

  async delete(path: string): Promise<void> {
    try {
      await this.request('DELETE', path);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      throw e;
    }
  }
}

export function logLine(component: string, msg: string): void {
  process.stdout.write(`${new Date().toISOString()} ${component} ${msg}\n`);
}
