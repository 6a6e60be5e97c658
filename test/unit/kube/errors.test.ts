import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitError } from '../../../lib/cli/exit.ts';
import { apiErrorFrom, ApiError, networkErrorFrom, NetworkError, timeoutError } from '../../../lib/kube/errors.ts';

const statusBody = (reason: string, message: string, code: number) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });

test('server errors print as kubectl prints them, one line, exit 1', () => {
  const nf = apiErrorFrom(404, statusBody('NotFound', 'postgresclusters.postgres-operator.crunchydata.com "x" not found', 404));
  assert.ok(nf instanceof ApiError && nf instanceof ExitError);
  assert.is(nf.message, 'Error from server (NotFound): postgresclusters.postgres-operator.crunchydata.com "x" not found');
  assert.is(nf.code, 1);
  assert.is(nf.status, 404);
  assert.is(nf.reason, 'NotFound');
  const fb = apiErrorFrom(403, statusBody('Forbidden', 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "db"', 403));
  assert.is(fb.message, 'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "db"');
  const multi = apiErrorFrom(422, statusBody('Invalid', 'PostgresCluster "x" is invalid:\n  spec.instances: Required value', 422));
  assert.is(multi.message, 'Error from server (Invalid): PostgresCluster "x" is invalid: spec.instances: Required value');
});

test('bodies that are not a Status: the reason comes from the HTTP status', () => {
  assert.is(apiErrorFrom(404, '404 page not found').message, 'Error from server (NotFound): the server could not find the requested resource');
  assert.is(apiErrorFrom(503, '').message, 'Error from server (ServiceUnavailable): an error on the server (HTTP 503) has prevented the request from succeeding');
  assert.is(apiErrorFrom(502, '<html>\n<body>Bad gateway</body>\n</html>').message, 'Error from server (InternalError): <html> <body>Bad gateway</body> </html>');
  assert.is(apiErrorFrom(401, '').message, 'error: You must be logged in to the server (Unauthorized)');
});

test('network failures: refused, DNS, TLS, timeout', () => {
  const e = (code: string, message: string) => Object.assign(new Error(message), { code });
  const refused = networkErrorFrom(e('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6443'), 'https://127.0.0.1:6443');
  assert.ok(refused instanceof NetworkError && refused instanceof ExitError);
  assert.is(refused.message, 'error: the connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?');
  assert.is(networkErrorFrom(e('ECONNREFUSED', 'x'), 'https://kube.example').message, 'error: the connection to the server kube.example:443 was refused - did you specify the right host or port?');
  const dns = networkErrorFrom(e('ENOTFOUND', 'getaddrinfo ENOTFOUND kube.example'), 'https://kube.example:6443');
  assert.is(dns.failure, 'dns');
  assert.match(dns.message, /^error: unable to connect to the server kube\.example:6443: no such host/);
  const tls = networkErrorFrom(e('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'https://127.0.0.1:6443');
  assert.is(tls.failure, 'tls');
  assert.match(tls.message, /^error: unable to connect to the server 127\.0\.0\.1:6443: tls: self-signed certificate \(check certificate-authority/);
  assert.is(timeoutError('https://k:6443', 'GET', '/api/v1/pods', 30_000).message, 'error: the server https://k:6443 did not answer GET /api/v1/pods within 30s (raise --request-timeout, or check the server)');
});

test.run();
