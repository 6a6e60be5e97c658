// Which proxy a request to the API server goes through, decided as kubectl decides it: the
// cluster's proxy-url when set (for every server, loopback included); else Go's
// http.ProxyFromEnvironment (golang.org/x/net/http/httpproxy), which client-go uses by default:
// HTTPS_PROXY/https_proxy for https servers, HTTP_PROXY/http_proxy for http ones (the upper-case
// name first; an empty value is "no proxy"), NO_PROXY/no_proxy exceptions, and never a proxy for
// localhost or a loopback address.
import net from 'node:net';
import { ExitError } from '../cli/exit.ts';

/** The proxy URL for `server`, or undefined for a direct connection. */
export function proxyFor(server: URL, proxyUrl: string | undefined, env: NodeJS.ProcessEnv): URL | undefined {
  if (proxyUrl) return parseProxy(proxyUrl);
  const https = server.protocol === 'https:';
  const raw = https ? pick(env, 'HTTPS_PROXY', 'https_proxy') : pick(env, 'HTTP_PROXY', 'http_proxy');
  if (!raw) return undefined;
  const host = unbracket(server.hostname).toLowerCase();
  const port = server.port || (https ? '443' : '80');
  if (!useProxy(host, port, pick(env, 'NO_PROXY', 'no_proxy') ?? '')) return undefined;
  // httpproxy: in a CGI program HTTP_PROXY may come from a request header (httpoxy)
  if (!https && env.REQUEST_METHOD) throw new ExitError('error: refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy');
  return parseProxy(raw);
}

function pick(env: NodeJS.ProcessEnv, upper: string, lower: string): string | undefined {
  const v = env[upper] || env[lower];
  return v === undefined || v === '' ? undefined : v;
}

/** Go's parseProxy: a value without a scheme ("proxy:3128") is read as http://proxy:3128. */
export function parseProxy(raw: string): URL {
  try {
    const u = new URL(raw);
    if (u.host !== '') return u;
  } catch {
    // falls through to the http:// reading, as Go does
  }
  return new URL(`http://${raw}`);
}

function unbracket(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** httpproxy's useProxy with its NO_PROXY matchers: "*", CIDRs, IPs, domains (suffixes), ports. */
export function useProxy(host: string, port: string, noProxy: string): boolean {
  if (host === 'localhost') return false;
  const ip = net.isIP(host) ? host : undefined;
  if (ip && isLoopback(ip)) return false;
  for (const entry of noProxy.split(',')) {
    const p = entry.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return false;
    if (p.includes('/')) {
      if (ip && inCidr(ip, p)) return false;
      continue;
    }
    let phost = p;
    let pport = '';
    const hp = splitHostPort(p);
    if (hp) {
      if (hp.host === '') continue; // malformed (":80"): ignored, as Go does
      phost = unbracket(hp.host);
      pport = hp.port;
    }
    if (net.isIP(phost)) {
      if (ip && sameIp(ip, phost) && (pport === '' || pport === port)) return false;
      continue;
    }
    if (ip || phost === '') continue; // domain entries never match an address
    if (phost.startsWith('*.')) phost = phost.slice(1);
    const matchHost = !phost.startsWith('.');
    if (matchHost) phost = `.${phost}`;
    if ((host.endsWith(phost) || (matchHost && host === phost.slice(1))) && (pport === '' || pport === port)) return false;
  }
  return true;
}

function splitHostPort(p: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]*)\]:(\d*)$/.exec(p) ?? /^([^:]*):(\d*)$/.exec(p);
  return m ? { host: m[1], port: m[2] } : undefined;
}

function isLoopback(ip: string): boolean {
  if (net.isIPv4(ip)) return ip.startsWith('127.');
  const b = ipBytes(ip);
  return b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
}

function sameIp(a: string, b: string): boolean {
  const x = ipBytes(a);
  const y = ipBytes(b);
  return x.every((v, i) => v === y[i]);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  if (!net.isIP(base) || !/^\d+$/.test(bitsText)) return false;
  const bits = Number(bitsText) + (net.isIPv4(base) ? 96 : 0);
  if (bits > 128) return false;
  const x = ipBytes(ip);
  const y = ipBytes(base);
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> i % 8;
    if ((x[i >> 3] & mask) !== (y[i >> 3] & mask)) return false;
  }
  return true;
}

/** 16 bytes, IPv4 as ::ffff:a.b.c.d (Go's net.IP form, so a v4 address matches its v4-mapped CIDR). */
export function ipBytes(ip: string): number[] {
  if (net.isIPv4(ip)) return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...ip.split('.').map(Number)];
  let text = ip;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4[1].split('.').map(Number));
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}
