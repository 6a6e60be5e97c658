// API failures as one kubectl-style line. Everything the client throws is an ExitError (exit 1):
// ApiError when the server answered, NetworkError when it could not be reached or did not answer.
import { ExitError } from '../cli/exit.ts';

const REASON_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The server answered with an error status. `reason` is the Status reason (NotFound, Forbidden, ...). */
export class ApiError extends ExitError {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
    /** The server's own message (Status.message), one line. */
    readonly serverMessage: string = message,
  ) {
    super(message, 1);
    this.name = 'ApiError';
  }
}

export type NetworkFailure = 'refused' | 'timeout' | 'tls' | 'dns' | 'unreachable' | 'credentials' | 'other';

/** The request never got an answer: connection refused, DNS, TLS, timeout, credential plugin. */
export class NetworkError extends ExitError {
  constructor(
    message: string,
    readonly failure: NetworkFailure,
  ) {
    super(message, 1);
    this.name = 'NetworkError';
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Turns an HTTP error response (status + raw body) into the line kubectl prints. */
export function apiErrorFrom(status: number, body: string): ApiError {
  let parsed: { kind?: string; reason?: string; message?: string } | undefined;
  try {
    const obj = JSON.parse(body);
    if (obj && typeof obj === 'object') parsed = obj;
  } catch {
    // Not a Status object (e.g. "404 page not found" from the mux, or an HTML proxy page).
  }
  const reason = (parsed?.reason || REASON_BY_STATUS[status] || (status >= 500 ? 'InternalError' : 'Unknown')) as string;
  let msg = parsed?.message ? oneLine(parsed.message) : '';
  if (status === 401) {
    return new ApiError('error: You must be logged in to the server (Unauthorized)', status, 'Unauthorized', msg || 'Unauthorized');
  }
  if (!msg) {
    msg =
      status === 404
        ? 'the server could not find the requested resource'
        : status === 403
          ? 'forbidden'
          : oneLine(body).slice(0, 200) || `an error on the server (HTTP ${status}) has prevented the request from succeeding`;
  }
  return new ApiError(`Error from server (${reason}): ${msg}`, status, reason, msg);
}

/** Maps a socket/TLS error of node:https to the line a person at 3 a.m. can act on. */
export function networkErrorFrom(err: NodeJS.ErrnoException, server: string): NetworkError {
  let hostPort = server;
  try {
    const u = new URL(server);
    hostPort = u.port ? `${u.hostname}:${u.port}` : `${u.hostname}:${u.protocol === 'http:' ? 80 : 443}`;
  } catch {
    // keep the raw server string
  }
  const code = err.code ?? '';
  const detail = oneLine(err.message || String(err));
  switch (code) {
    case 'ECONNREFUSED':
      return new NetworkError(`error: the connection to the server ${hostPort} was refused - did you specify the right host or port?`, 'refused');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NetworkError(`error: unable to connect to the server ${hostPort}: no such host (${detail})`, 'dns');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ETIMEDOUT':
      return new NetworkError(`error: unable to connect to the server ${hostPort}: ${detail}`, 'unreachable');
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME/i.test(code) || /certificate|ssl|tls/i.test(detail)) {
    return new NetworkError(
      `error: unable to connect to the server ${hostPort}: tls: ${detail} (check certificate-authority, client-certificate and insecure-skip-tls-verify in the kubeconfig)`,
      'tls',
    );
  }
  return new NetworkError(`error: unable to connect to the server ${hostPort}: ${detail}`, 'other');
}

export function timeoutError(server: string, method: string, path: string, ms: number): NetworkError {
  return new NetworkError(
    `error: the server ${server} did not answer ${method} ${path} within ${formatMs(ms)} (raise --request-timeout, or check the server)`,
    'timeout',
  );
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
