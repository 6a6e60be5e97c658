// gunzip for a response body, paced for the thread pool: every write to a zlib stream and every
// output buffer it fills is a round trip to libuv's pool and back. A LIST arrives as hundreds of
// small TLS records (~1 MB compressed per 50 clusters) and inflates ~9:1, so zlib's defaults (one
// write per record, 16 KiB out) cost ~1,000 round trips, ~60 ms of this thread per context. Here
// the records that arrive while one inflate runs are joined into the next write, and the output
// buffer is 256 KiB.
import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';

const OUT_CHUNK = 256 * 1024;

export function gunzipped(body: Readable): Gunzip {
  const gz = createGunzip({ chunkSize: OUT_CHUNK });
  let pending: Buffer[] = [];
  let writing = false;
  let ended = false;
  const next = (): void => {
    if (writing || gz.destroyed) return;
    if (pending.length === 0) {
      if (ended) gz.end();
      return;
    }
    const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    pending = [];
    writing = true;
    gz.write(chunk, () => {
      writing = false;
      next();
    });
  };
  body.on('data', (c: Buffer) => {
    pending.push(c);
    next();
  });
  body.on('end', () => {
    ended = true;
    next();
  });
  return gz;
}
