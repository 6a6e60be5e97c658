// Test equipment for the fleet benchmark: a loopback TCP proxy that makes a local API server look
// remote. Each byte is held a fixed one-way delay in each direction (so a round trip costs the
// RTT, the TLS handshake included: TLS passes through end to end), and optionally leaves at no more
// than a bandwidth cap, as on a link between regions. Order is kept per direction. It can also
// note when each connection opened and each chunk passed either way (timestamps of requests
// per context), to see whether the plugin serializes anything.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Forwards from -> to, each chunk arriving `delayMs` after it left and no faster than `bytesPerMs`. */
function delayed(from, to, delayMs, bytesPerMs, onChunk) {
  const queue = [];
  let timer;
  let linkFree = 0;
  const pump = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0].due <= now + 0.5) {
      const { chunk } = queue.shift();
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    if (queue.length) timer = setTimeout(pump, queue[0].due - now);
  };
  const push = (chunk) => {
    const now = performance.now();
    const start = Math.max(now, linkFree);
    linkFree = start + (bytesPerMs && chunk ? chunk.length / bytesPerMs : 0);
    queue.push({ due: linkFree + delayMs, chunk });
    if (!timer) timer = setTimeout(pump, Math.max(0, queue[0].due - now));
  };
  from.on('data', (c) => {
    onChunk?.(c.length);
    push(c);
  });
  from.on('end', () => push(null));
}

/**
 * Listens on 127.0.0.1 (a port of its own) and forwards to `target` (host:port) with `rttMs/2` each
 * way. `mbit` caps each direction's bandwidth (0: none). Returns the port, the log, close().
 */
export async function startLatencyProxy(target, { rttMs, mbit = 0, log = false }) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const oneWay = rttMs / 2;
  const bytesPerMs = mbit ? (mbit * 1e6) / 8 / 1000 : 0;
  const events = [];
  const sockets = new Set();
  let conn = 0;
  const server = net.createServer((client) => {
    const id = conn++;
    if (log) events.push({ t: performance.now(), conn: id, what: 'open' });
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (client.destroy(), upstream.destroy()));
    }
    delayed(client, upstream, oneWay, bytesPerMs, log ? (n) => events.push({ t: performance.now(), conn: id, what: `up ${n}` }) : undefined);
    delayed(upstream, client, oneWay, bytesPerMs, log ? (n) => events.push({ t: performance.now(), conn: id, what: `down ${n}` }) : undefined);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    events,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * An HTTPS endpoint that answers each (method, path and query, Accept, Accept-Encoding) from a recording of `upstream`:
 * the first request of each is passed to the API server and its answer kept, every later one is
 * served from memory. Behind a latency proxy it stands for a remote cluster whose API server's CPU
 * is not on this machine's cores (a real fleet's case), which a local API server cannot show.
 */
export async function startReplayServer(upstreamUrl, tlsDir) {
  const https = await import('node:https');
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const upstream = new URL(upstreamUrl);
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const kept = new Map();
  const record = (req) =>
    new Promise((resolve, reject) => {
      const up = https.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, agent }, (ur) => {
        const chunks = [];
        ur.on('data', (c) => chunks.push(c));
        ur.on('end', () => {
          const headers = { ...ur.headers };
          delete headers['transfer-encoding'];
          const body = Buffer.concat(chunks);
          resolve({ status: ur.statusCode, headers: { ...headers, 'content-length': body.length }, body });
        });
      });
      up.on('error', reject);
      up.end();
    });
  const server = https.createServer({ key: readFileSync(join(tlsDir, 'server.key')), cert: readFileSync(join(tlsDir, 'server.crt')) }, (req, res) => {
    // A gzip-encoded (or protobuf) answer kept for a client that asked for one only.
    const key = `${req.method} ${req.url} ${req.headers.accept ?? ''} ${req.headers['accept-encoding'] ?? ''}`;
    if (!kept.has(key)) kept.set(key, record(req));
    kept.get(key).then(
      (r) => (res.writeHead(r.status, r.headers), res.end(r.body)),
      () => res.destroy(),
    );
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
