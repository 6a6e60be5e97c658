// A loopback HTTP endpoint for health checks and test helpers; its port goes to
// $PODS_ROOT/<name>.port so scripts and tests can find it.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export type Handler = (method: string, url: URL, body: string) => Promise<{ status: number; body: unknown }>;

export function serveControl(name: string, root: string, handler: Handler): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body) + '\n');
      };
      if (url.pathname === '/healthz') return reply(200, { ok: true });
      handler(req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8')).then(
        (r) => reply(r.status, r.body),
        (e: Error) => reply(500, { error: e.message }),
      );
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (addr && typeof addr === 'object') fs.writeFileSync(path.join(root, `${name}.port`), `${addr.port}\n`);
      resolve(server);
    });
  });
}

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`error: ${name} is not set (this process is started by scripts/sandbox/pods/up.sh)\n`);
    process.exit(1);
  }
  return v;
}

export function logLine(component: string, msg: string): void {
  process.stdout.write(`${new Date().toISOString()} ${component} ${msg}\n`);
}
