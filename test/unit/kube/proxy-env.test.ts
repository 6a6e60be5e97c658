// proxyFor(): the proxy Go's http.ProxyFromEnvironment (golang.org/x/net/http/httpproxy) would
// pick for an API server URL, with the kubeconfig's proxy-url taking precedence. Cases follow
// httpproxy's own rules: upper-case names first, HTTPS_PROXY only for https, NO_PROXY entries
// as "*", CIDRs, IPs (with ports), domains (suffix match; ".x" and "*.x" subdomains only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseProxy, proxyFor } from '../../../lib/kube/proxy-env.ts';

const P = 'http://proxy.corp:3128';
const via = (server: string, env: NodeJS.ProcessEnv, proxyUrl?: string) => proxyFor(new URL(server), proxyUrl, env)?.toString();

test('HTTPS_PROXY for https servers, HTTP_PROXY for http ones; upper case first; empty = none', () => {
  assert.is(via('https://api.prod:6443', { HTTPS_PROXY: P }), 'http://proxy.corp:3128/');
  assert.is(via('https://api.prod:6443', { https_proxy: P }), 'http://proxy.corp:3128/');
  assert.is(via('https://api.prod:6443', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }), 'http://upper:1/');
  assert.is(via('https://api.prod:6443', { HTTP_PROXY: P }), undefined, 'HTTP_PROXY is not used for https');
  assert.is(via('http://api.prod:8080', { HTTP_PROXY: P }), 'http://proxy.corp:3128/');
  assert.is(via('http://api.prod:8080', { http_proxy: P, HTTPS_PROXY: 'http://other:1' }), 'http://proxy.corp:3128/');
  assert.is(via('https://api.prod:6443', { HTTPS_PROXY: '' }), undefined);
  assert.is(via('https://api.prod:6443', {}), undefined);
});

test('CGI (REQUEST_METHOD set): HTTP_PROXY is refused, HTTPS_PROXY still used', () => {
  assert.throws(() => via('http://api.prod:8080', { HTTP_PROXY: P, REQUEST_METHOD: 'GET' }), /refusing to use HTTP_PROXY value in CGI environment/);
  assert.is(via('https://api.prod', { HTTPS_PROXY: P, REQUEST_METHOD: 'GET' }), P + '/');
  assert.is(via('http://127.0.0.1:8080', { HTTP_PROXY: P, REQUEST_METHOD: 'GET' }), undefined, 'only when the proxy would be used');
});

test('a proxy without a scheme is http://; basic auth in the proxy URL is kept', () => {
  assert.is(parseProxy('proxy.corp:3128').toString(), 'http://proxy.corp:3128/');
  assert.is(via('https://api.prod', { HTTPS_PROXY: 'http://u%40x:p%3Aw@proxy.corp:3128' }), 'http://u%40x:p%3Aw@proxy.corp:3128/');
});

test('never for localhost or loopback (v4 and v6), whatever the environment', () => {
  for (const s of ['https://localhost:6443', 'https://127.0.0.1:6443', 'https://127.9.9.9', 'https://[::1]:6443']) assert.is(via(s, { HTTPS_PROXY: P }), undefined, s);
  assert.is(via('https://[::2]:6443', { HTTPS_PROXY: P }), 'http://proxy.corp:3128/');
});

test('NO_PROXY: *, CIDRs, IPs with and without port, domain suffixes, upper case first', () => {
  const env = (no: string) => ({ HTTPS_PROXY: P, NO_PROXY: no });
  assert.is(via('https://api.prod', env('*')), undefined);
  assert.is(via('https://10.1.2.3:6443', env('10.0.0.0/8')), undefined);
  assert.is(via('https://11.1.2.3:6443', env('10.0.0.0/8')), P + '/');
  assert.is(via('https://[fd00::5]:6443', env('fd00::/8')), undefined);
  assert.is(via('https://[fe00::5]:6443', env('fd00::/8')), P + '/');
  assert.is(via('https://10.1.2.3:6443', env('10.1.2.3')), undefined);
  assert.is(via('https://10.1.2.3:6443', env('10.1.2.3:6443')), undefined);
  assert.is(via('https://10.1.2.3:6443', env('10.1.2.3:443')), P + '/', 'port must match');
  assert.is(via('https://10.1.2.3', env('10.1.2.3:443')), undefined, 'https default port is 443');
  assert.is(via('https://[fd00::5]:6443', env('[fd00::5]:6443')), undefined);
  assert.is(via('https://corp.example', env('corp.example')), undefined, 'the domain itself');
  assert.is(via('https://api.corp.example', env('corp.example')), undefined, 'and its subdomains');
  assert.is(via('https://xcorp.example', env('corp.example')), P + '/', 'not a mere string suffix');
  assert.is(via('https://corp.example', env('.corp.example')), P + '/', '".x" is subdomains only');
  assert.is(via('https://api.corp.example', env('.corp.example')), undefined);
  assert.is(via('https://api.corp.example', env('*.corp.example')), undefined);
  assert.is(via('https://corp.example', env('*.corp.example')), P + '/');
  assert.is(via('https://api.corp.example:6443', env('corp.example:6443')), undefined);
  assert.is(via('https://api.corp.example:6443', env('corp.example:443')), P + '/');
  assert.is(via('https://API.Corp.Example', env(' other.example , CORP.EXAMPLE ')), undefined, 'case and spaces');
  assert.is(via('https://10.1.2.3', env('3')), P + '/', 'a domain entry never matches an address');
  assert.is(via('https://api.prod', { HTTPS_PROXY: P, no_proxy: 'api.prod' }), undefined);
  assert.is(via('https://api.prod', { HTTPS_PROXY: P, NO_PROXY: 'other', no_proxy: 'api.prod' }), P + '/', 'NO_PROXY wins over no_proxy');
});

test('proxy-url takes precedence: over the environment, over NO_PROXY, even for loopback', () => {
  const env = { HTTPS_PROXY: 'http://env:1', NO_PROXY: '*' };
  assert.is(via('https://api.prod', env, 'http://cfg:2'), 'http://cfg:2/');
  assert.is(via('https://127.0.0.1:6443', {}, 'http://cfg:2'), 'http://cfg:2/');
});

test.run();
