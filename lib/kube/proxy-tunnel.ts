// The API server through a proxy, as Go's transport reaches it for client-go: for https servers
// an HTTP CONNECT tunnel through an http:// or https:// proxy (Proxy-Authorization from the URL's user info;
// an IPv6 target in brackets), or SOCKS5 (RFC 1928; user/password per RFC 1929 from the URL;
// a host name is resolved by the proxy, as golang.org/x/net/proxy does), with TLS to the server
// inside the tunnel; for plain http servers the request itself, with its absolute URL.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { ipBytes } from './proxy-env.ts';

type Done = (err: Error | null, s?: net.Socket) => void;

export function proxyAgent(proxy: URL, serverIsHttp: boolean, tlsOpts: https.AgentOptions): http.Agent {
  if (serverIsHttp && proxy.protocol !== 'socks5:') return forwardAgent(proxy);
  const agent = serverIsHttp ? new http.Agent({ keepAlive: true }) : new https.Agent({ ...tlsOpts, keepAlive: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (agent as any).createConnection = (opts: any, cb: Done) => {
    const host = String(opts.host).replace(/^\[|\]$/g, '');
    const port = Number(opts.port);
    const open = proxy.protocol === 'socks5:' ? socks5 : connectTunnel;
    open(proxy, host, port, (err, socket) => {
      if (err || !socket) return cb(err ?? new Error('no tunnel'));
      if (serverIsHttp) return cb(null, socket);
      const secure = tls.connect({ ...tlsOpts, socket, servername: tlsOpts.servername ?? (net.isIP(host) ? undefined : host) } as tls.ConnectionOptions);
      secure.once('secureConnect', () => cb(null, secure));
      secure.once('error', (e) => cb(e));
    });
    return undefined;
  };
  return agent;
}

/** Plain http through an HTTP(S) proxy, as Go's transport does it: the request itself goes to the proxy, with the absolute URL. */
function forwardAgent(proxy: URL): http.Agent {
  const auth = proxy.username ? `Basic ${Buffer.from(`${user(proxy)}:${pass(proxy)}`).toString('base64')}` : undefined;
  const host = unbracket(proxy.hostname);
  const port = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
  const agent = new http.Agent({ keepAlive: true });
  // addRequest runs in ClientRequest's constructor, before the request line is written.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const a = agent as any;
  const addRequest = a.addRequest.bind(agent);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  a.addRequest = (req: http.ClientRequest, options: any) => {
    const target = String(options.host).replace(/^\[|\]$/g, '');
    req.path = `http://${net.isIPv6(target) ? `[${target}]` : target}:${options.port}${req.path}`;
    if (auth) req.setHeader('Proxy-Authorization', auth);
    return addRequest(req, { ...options, host, port });
  };
  a.createConnection = () => (proxy.protocol === 'https:' ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect(port, host));
  return agent;
}

const unbracket = (h: string) => h.replace(/^\[|\]$/g, '');
const user = (u: URL) => decodeURIComponent(u.username);
const pass = (u: URL) => decodeURIComponent(u.password);

function connectTunnel(proxy: URL, host: string, port: number, cb: Done): void {
  const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const auth = proxy.username ? `Basic ${Buffer.from(`${user(proxy)}:${pass(proxy)}`).toString('base64')}` : undefined;
  const req = (proxy.protocol === 'https:' ? https : http).request({
    host: unbracket(proxy.hostname),
    port: Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80)),
    method: 'CONNECT',
    path: target,
    headers: { Host: target, ...(auth ? { 'Proxy-Authorization': auth } : {}) },
    agent: false,
  });
  req.once('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      cb(Object.assign(new Error(`proxy ${proxy.host} refused CONNECT to ${target}: HTTP ${res.statusCode}`), { code: 'EPROXY' }));
      return;
    }
    cb(null, socket);
  });
  req.once('error', (e) => cb(e));
  req.end();
}

/** A SOCKS5 CONNECT, one step per answer of the proxy. */
function socks5(proxy: URL, host: string, port: number, cb: Done): void {
  const fail = (why: string) => {
    socket.destroy();
    cb(Object.assign(new Error(`socks5 proxy ${proxy.host}: ${why}`), { code: 'EPROXY' }));
  };
  const socket = net.connect(Number(proxy.port || 1080), unbracket(proxy.hostname));
  let step: 'method' | 'auth' | 'connect' = 'method';
  let buf = Buffer.alloc(0);
  const connectRequest = () => {
    let addr: Buffer;
    if (net.isIPv4(host)) addr = Buffer.from([1, ...host.split('.').map(Number)]);
    else if (net.isIPv6(host)) addr = Buffer.from([4, ...ipBytes(host)]);
    else addr = Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), Buffer.from(host)]);
    socket.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, Buffer.from([port >> 8, port & 0xff])]));
    step = 'connect';
  };
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    if (step === 'method') {
      if (buf.length < 2) return;
      const method = buf[1];
      buf = buf.subarray(2);
      if (method === 0) return connectRequest();
      if (method === 2 && proxy.username) {
        const u = Buffer.from(user(proxy));
        const p = Buffer.from(pass(proxy));
        socket.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
        step = 'auth';
        return;
      }
      return fail('no acceptable authentication method');
    }
    if (step === 'auth') {
      if (buf.length < 2) return;
      if (buf[1] !== 0) return fail('username/password authentication failed');
      buf = buf.subarray(2);
      return connectRequest();
    }
    if (buf.length < 5) return;
    if (buf[1] !== 0) return fail(`CONNECT to ${host}:${port} refused (reply ${buf[1]})`);
    const need = 4 + (buf[3] === 1 ? 4 : buf[3] === 4 ? 16 : 1 + buf[4]) + 2;
    if (buf.length < need) return;
    socket.off('data', onData);
    socket.off('error', onError);
    const rest = buf.subarray(need);
    if (rest.length) socket.unshift(rest);
    cb(null, socket);
  };
  const onError = (e: Error) => cb(e);
  socket.on('data', onData);
  socket.once('error', onError);
  socket.once('connect', () => socket.write(Buffer.from(proxy.username ? [5, 2, 0, 2] : [5, 1, 0])));
}
