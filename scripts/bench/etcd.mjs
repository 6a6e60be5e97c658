// The least of an etcd v3 client the scale fixture needs: transactions of puts over gRPC, spoken
// directly (HTTP/2 without TLS on the sandbox's client port, messages encoded by hand: a TxnRequest
// of PutRequests is three nested length-delimited fields). No gRPC library in the project, and the
// JSON gateway would cost etcd a base64 and protojson decode of every value on the same 2 cores.
import http2 from 'node:http2';

// etcd's default --max-txn-ops.
export const MAX_TXN_OPS = 128;

function varint(n) {
  const b = [];
  while (n > 127) {
    b.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  b.push(n);
  return Buffer.from(b);
}
const field = (tag, buf) => [Buffer.from([tag]), varint(buf.length), buf];
const len = (parts) => parts.reduce((s, p) => s + p.length, 0);

/** TxnRequest { success: [RequestOp { request_put: PutRequest { key, value } }...] }, framed for gRPC. */
function txnOfPuts(kvs) {
  const parts = [];
  for (const [key, value] of kvs) {
    const put = [...field(0x0a, Buffer.from(key)), ...field(0x12, value)]; // PutRequest.key = 1, .value = 2
    const op = [Buffer.from([0x12]), varint(len(put)), ...put]; // RequestOp.request_put = 2
    parts.push(Buffer.from([0x12]), varint(len(op)), ...op); // TxnRequest.success = 2
  }
  return frame(parts);
}

/** A gRPC message frame: uncompressed, 4-byte big-endian length. */
function frame(parts) {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(len(parts), 1);
  return Buffer.concat([head, ...parts]);
}

/** Reads varint field `want` of a protobuf message (first occurrence), or undefined. */
function readField(buf, want) {
  let i = 0;
  const v = () => {
    let x = 0;
    let mul = 1;
    for (;;) {
      const b = buf[i++];
      x += (b & 127) * mul;
      if (b < 128) return x;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const tag = v();
    const num = tag >>> 3;
    const type = tag & 7;
    if (type === 0) {
      const x = v();
      if (num === want) return x;
    } else if (type === 2) {
      const n = v();
      if (num === want) return buf.subarray(i, i + n);
      i += n;
    } else if (type === 1) i += 8;
    else if (type === 5) i += 4;
    else return undefined;
  }
  return undefined;
}

export function etcdClient(url) {
  const session = http2.connect(url);
  session.on('error', () => {}); // each call reports its own failure
  const call = (path, body) =>
    new Promise((resolve, reject) => {
      const s = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      const chunks = [];
      let trailers = {};
      s.on('response', (h) => { if (h['grpc-status'] !== undefined) trailers = h; });
      s.on('trailers', (t) => { trailers = t; });
      s.on('data', (c) => chunks.push(c));
      s.on('error', reject);
      s.on('end', () => {
        if (trailers['grpc-status'] !== '0') return reject(new Error(`etcd ${path}: grpc-status ${trailers['grpc-status']} ${decodeURIComponent(trailers['grpc-message'] ?? '')}`));
        resolve(Buffer.concat(chunks).subarray(5));
      });
      s.end(body);
    });
  return {
    /** The value of one key (a Buffer), or undefined. */
    async get(key) {
      const res = await call('/etcdserverpb.KV/Range', frame(field(0x0a, Buffer.from(key)))); // RangeRequest.key = 1
      const kv = readField(res, 2); // RangeResponse.kvs
      return kv && readField(kv, 5); // KeyValue.value
    },
    /** Puts [key, Buffer] pairs in one transaction (at most MAX_TXN_OPS); resolves to the revision it made. */
    async put(kvs) {
      const res = await call('/etcdserverpb.KV/Txn', txnOfPuts(kvs));
      const header = readField(res, 1); // TxnResponse.header
      return header && readField(header, 3); // ResponseHeader.revision
    },
    close: () => session.close(),
  };
}
