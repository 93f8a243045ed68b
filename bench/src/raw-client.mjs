// The yardstick: the fastest memcached text-protocol client we can write by hand in plain Node, no
// library. Every ratio in bench/README.md is measured against it, so it has to be strong:
//
// - Requests are encoded straight into one output buffer per connection (latin1Write for the
//   header, a copy or utf8Write for the value) and leave in ONE socket write per tick.
// - After a write, the buffer is reused if the socket took all of it synchronously (writableLength
//   is 0 right after write(): libuv's try_write put it in the kernel); if the socket kept it
//   (partial write, data still referenced by the write request), the next tick gets a fresh one.
// - The queue of outstanding requests is a ring of parallel arrays (no shift(), no object per
//   request), and promises are made with one shared executor (no closure per request).
// - The socket reads through net's `onread` into slices of a 64 KiB slab (no buffer allocated per
//   read, no Readable stream machinery), and the rest of a value of 16 KiB or more straight into a
//   buffer of its declared size (`read: 'slab'`, the default; `read: 'data'` is the 'data' event).
//   Measured against 'data' in bench/local/ab.mjs: 100 KiB gets ~1.4x, 16 MiB ~1.2x, serial ~1.02x.
//   After a read in place, the next slab read is a short one (2 KiB, `probe`, the default since
//   2026-12-04 evening): when large values come back to back, the next one's header arrives alone
//   and its body is read in place instead of through a full slab read and a copy (100 KiB gets
//   with 10 in flight ~1.25x, user CPU per get about halved; `probe: false` is the old way).
// - Replies are parsed with byte comparisons; values are views (subarray) of the received chunk; a
//   value that straddles chunks is copied once into a buffer of its declared size.
// - Requests made while the socket's reads fill their buffers (libuv reads again at once: more
//   replies are waiting) are held until the reads end or 4 of them wait, then leave in one write
//   (`flush: 'burst'`, the default since 2026-12-07; `flush: 'tick'` is the old one write per
//   tick). On loopback a write costs the writer memcached's share of the delivery and its wake-up:
//   100 KiB gets with 10 in flight ~1.2x, 100 B gets with 100 in flight no worse. mc does the same.
// - `merge: true` ("raw-merged") turns the gets of one tick into one `get k1 k2 …` command (at most
//   `maxKeysPerGet` keys), as mc's batchGets does: memcached answers hits in request order and
//   omits misses, so replies are matched to keys by walking the request's key list.
//
// It parses only what the bench sends (get, multi-get, set) and trusts its input: no key
// validation, no timeouts, no reconnect. That is the point: it is the ceiling, not a product.
import { connect } from 'node:net';

const LF = 10;
const CR = 13;
const SPACE = 32;
const KIND_GET = 1; // single get: resolves the value or undefined
const KIND_MULTI = 2; // getMulti: resolves a Map of the hits
const KIND_MERGED = 3; // merged single gets: one resolver per key
const KIND_SET = 4; // resolves true on STORED
const SLAB_BYTES = 64 * 1024;
const SLAB_MIN_FREE = 8 * 1024;
const DIRECT_MIN_BYTES = 16 * 1024;
const PROBE_BYTES = 2 * 1024;

// One executor for every promise: it hands resolve/reject out through these two slots.
let nextResolve;
let nextReject;
function executor(resolve, reject) {
  nextResolve = resolve;
  nextReject = reject;
}

/**
 * @param {string} host
 * @param {number} port
 * @param {{ merge?: boolean, maxKeysPerGet?: number, schedule?: 'nextTick' | 'microtask',
 *   buffers?: 'reuse' | 'fresh' | 'pool2', initialBufferSize?: number, read?: 'slab' | 'data',
 *   probe?: boolean | number, flush?: 'burst' | 'tick', writeBatch?: number }} [options]
 *   merge: false; maxKeysPerGet: 100; schedule: 'nextTick' (measured faster, see README);
 *   buffers: 'reuse' (reuse when the socket took it all, else allocate); initialBufferSize: 16 KiB;
 *   read: 'slab' (see above); probe: true (see above; `raw@probe=0` in the bench turns it off);
 *   flush: 'burst' (see above; `raw@flush=tick` is the old way); writeBatch: 4 (most requests held).
 */
export async function rawClient(host, port, options = {}) {
  const merge = options.merge ?? false;
  const maxKeysPerGet = options.maxKeysPerGet ?? 100;
  const schedule = options.schedule === 'microtask' ? queueMicrotask : process.nextTick;
  const bufferMode = options.buffers ?? 'reuse';

  const readMode = options.read ?? 'slab';
  // A value straddling chunks, assembled at its declared size (+ CRLF); see onData.
  let big = null;
  let bigFilled = 0;
  // read: 'slab': the socket reads into slices of a 64 KiB slab (no buffer allocated per read, no
  // stream machinery per read), and the rest of a large value straight into its own buffer.
  let slab = Buffer.allocUnsafe(SLAB_BYTES);
  let slabUsed = 0;
  let direct = false;
  // probe: after a read in place, the next slab read is short (PROBE_BYTES), as mc's
  // slab-reader.ts does, so a large value that follows is read in place from its first KiB.
  const probeAfterDirect = ![false, 0, '0', 'false'].includes(options.probe ?? true);
  let probe = false;
  // tailProbe: the rest of a large value too short to read in place (< DIRECT_MIN_BYTES) is read
  // into the slab with only PROBE_BYTES more, as mc's slab-reader.ts does: a full slab read there
  // took in tens of KiB of the next large value, which then had to be copied into its own buffer.
  const tailProbe = ![false, 0, '0', 'false'].includes(options.tailProbe ?? true);
  // stickyProbe: a short read that did not fill its buffer (what memcached had sent so far ended in
  // it) leaves the next read short too, until a read fills: the next large value's header then still
  // arrives with at most PROBE_BYTES of its body, not with whatever memcached sent meanwhile.
  const stickyProbe = ![false, 0, '0', 'false'].includes(options.stickyProbe ?? true);
  let probing = false; // the buffer handed out last is a short one (probe or tail)
  // flush: 'burst' holds requests made while reads fill their buffers (libuv then reads again at
  // once) until the reads end or `writeBatch` of them wait, as mc's Client does (connection.ts).
  const burst = (options.flush ?? 'burst') === 'burst';
  const writeBatch = options.writeBatch ?? 4;
  let offered = 0;
  let moreToRead = false;
  let unsent = 0;
  let held = false; // the scheduled flush is the held one (setImmediate)
  function nextReadBuffer() {
    if (big !== null && big.length - bigFilled >= DIRECT_MIN_BYTES) {
      direct = true;
      probing = false;
      offered = big.length - bigFilled;
      return big.subarray(bigFilled);
    }
    direct = false;
    // Bytes already read stay where they are (values are views of them): a full slab is replaced.
    if (SLAB_BYTES - slabUsed < SLAB_MIN_FREE) {
      slab = Buffer.allocUnsafe(SLAB_BYTES);
      slabUsed = 0;
    }
    if (probe) {
      probe = false;
      probing = true;
      offered = PROBE_BYTES;
      return slab.subarray(slabUsed, slabUsed + PROBE_BYTES);
    }
    if (big !== null && tailProbe && big.length >= DIRECT_MIN_BYTES) {
      probing = true;
      offered = Math.min(SLAB_BYTES - slabUsed, big.length - bigFilled + PROBE_BYTES);
      return slab.subarray(slabUsed, slabUsed + offered);
    }
    probing = false;
    offered = SLAB_BYTES - slabUsed;
    return slab.subarray(slabUsed);
  }
  function onRead(n, buf) {
    moreToRead = n === offered;
    if (direct) {
      probe = probeAfterDirect;
      bigFilled += n;
      if (bigFilled === big.length) finishBig();
      return;
    }
    slabUsed += n;
    if (probing && stickyProbe && n < offered) probe = true;
    onData(buf.subarray(0, n));
  }
  const sock =
    readMode === 'slab'
      ? connect({ port, host, onread: { buffer: nextReadBuffer, callback: onRead } })
      : connect(port, host);
  sock.setNoDelay(true);
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });

  // ---- output ----
  let out = Buffer.allocUnsafe(options.initialBufferSize ?? 16 * 1024);
  let outLen = 0;
  let scheduled = false;
  let spare = null; // pool2: the other buffer, once its write has completed
  // merge mode: the `get …` line still open at the end of `out`, and its queue slot
  let openGetSlot = -1;
  let openGetKeys = 0;

  function ensure(extra) {
    if (outLen + extra <= out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, outLen + extra));
    out.copy(bigger, 0, 0, outLen);
    out = bigger;
  }

  function closeOpenGet() {
    if (openGetSlot < 0) return;
    ensure(2);
    out[outLen++] = CR;
    out[outLen++] = LF;
    openGetSlot = -1;
  }

  function flush() {
    scheduled = false;
    held = false;
    unsent = 0;
    closeOpenGet();
    if (outLen === 0) return;
    const sent = out;
    if (bufferMode === 'pool2') {
      sock.write(sent.subarray(0, outLen), () => {
        if (spare === null && sent.length >= out.length) spare = sent;
      });
      if (spare !== null) {
        out = spare;
        spare = null;
      } else out = Buffer.allocUnsafe(sent.length);
    } else {
      sock.write(sent.subarray(0, outLen));
      // 'reuse': the socket holds on to the bytes only if it could not write them all now.
      if (bufferMode === 'fresh' || sock.writableLength > 0) out = Buffer.allocUnsafe(sent.length);
    }
    outLen = 0;
  }

  function scheduleFlush() {
    unsent++;
    if (!scheduled) {
      scheduled = true;
      if (burst && moreToRead) {
        held = true;
        setImmediate(flushAfterReads);
      } else schedule(flush);
    } else if (held && unsent === writeBatch) {
      held = false;
      schedule(flush);
    }
  }

  function flushAfterReads() {
    moreToRead = false;
    if (held) flush();
  }

  // ---- queue: ring of parallel arrays ----
  let cap = 1024;
  let kinds = new Uint8Array(cap);
  let resolves = new Array(cap);
  let rejects = new Array(cap);
  let extras = new Array(cap); // KIND_MULTI: keys; KIND_MERGED: { keys, resolves, rejects }
  let head = 0;
  let count = 0;

  function push(kind, resolve, reject, extra) {
    if (count === cap) {
      const k2 = new Uint8Array(cap * 2);
      const r2 = new Array(cap * 2);
      const j2 = new Array(cap * 2);
      const e2 = new Array(cap * 2);
      for (let i = 0; i < count; i++) {
        const s = (head + i) & (cap - 1);
        k2[i] = kinds[s];
        r2[i] = resolves[s];
        j2[i] = rejects[s];
        e2[i] = extras[s];
      }
      kinds = k2;
      resolves = r2;
      rejects = j2;
      extras = e2;
      head = 0;
      cap *= 2;
    }
    const slot = (head + count) & (cap - 1);
    kinds[slot] = kind;
    resolves[slot] = resolve;
    rejects[slot] = reject;
    extras[slot] = extra;
    count++;
    return slot;
  }

  function pop() {
    resolves[head] = undefined;
    rejects[head] = undefined;
    extras[head] = undefined;
    head = (head + 1) & (cap - 1);
    count--;
  }

  // ---- requests ----
  function get(key) {
    const p = new Promise(executor);
    if (merge) {
      if (openGetSlot >= 0 && openGetKeys < maxKeysPerGet) {
        ensure(key.length + 3);
        out[outLen++] = SPACE;
        outLen += out.latin1Write(key, outLen);
        const batch = extras[openGetSlot];
        batch.keys.push(key);
        batch.resolves.push(nextResolve);
        batch.rejects.push(nextReject);
        openGetKeys++;
      } else {
        closeOpenGet();
        ensure(key.length + 8);
        outLen += out.latin1Write('get ', outLen);
        outLen += out.latin1Write(key, outLen);
        openGetSlot = push(KIND_MERGED, undefined, undefined, {
          keys: [key],
          resolves: [nextResolve],
          rejects: [nextReject],
          next: 0,
        });
        openGetKeys = 1;
      }
    } else {
      ensure(key.length + 6);
      outLen += out.latin1Write('get ', outLen);
      outLen += out.latin1Write(key, outLen);
      out[outLen++] = CR;
      out[outLen++] = LF;
      push(KIND_GET, nextResolve, nextReject, undefined);
    }
    scheduleFlush();
    return p;
  }

  function getMulti(keys) {
    const p = new Promise(executor);
    closeOpenGet();
    let len = 5;
    for (const k of keys) len += k.length + 1;
    ensure(len);
    outLen += out.latin1Write('get', outLen);
    for (const k of keys) {
      out[outLen++] = SPACE;
      outLen += out.latin1Write(k, outLen);
    }
    out[outLen++] = CR;
    out[outLen++] = LF;
    push(KIND_MULTI, nextResolve, nextReject, { keys, next: 0, map: new Map() });
    scheduleFlush();
    return p;
  }

  function set(key, value) {
    const p = new Promise(executor);
    closeOpenGet();
    const isString = typeof value === 'string';
    const size = isString ? Buffer.byteLength(value) : value.length;
    ensure(key.length + 40 + size);
    outLen += out.latin1Write(`set ${key} 0 0 ${size}\r\n`, outLen);
    if (isString) outLen += out.utf8Write(value, outLen);
    else {
      out.set(value, outLen);
      outLen += size;
    }
    out[outLen++] = CR;
    out[outLen++] = LF;
    push(KIND_SET, nextResolve, nextReject, undefined);
    scheduleFlush();
    return p;
  }

  // ---- replies ----
  let tail = null; // an incomplete reply line carried over from the previous chunk

  /** Does buf[start, start+key.length) hold exactly the bytes of key? (keys are ASCII) */
  function keyAt(buf, start, end, key) {
    if (end - start !== key.length) return false;
    for (let i = 0; i < key.length; i++) if (buf[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  // The VALUE line being answered, kept while its body is read.
  let valueKeyStart = 0;
  let valueKeyEnd = 0;
  let valueLine = null;

  /** Hands one value (a view) to the request at the head of the queue. */
  function deliverValue(value) {
    const kind = kinds[head];
    if (kind === KIND_GET) {
      // The END line resolves: keep the value until then.
      extras[head] = value;
      return;
    }
    const batch = extras[head];
    const keys = batch.keys;
    // Replies come in request order with misses left out: skip to the key this VALUE names.
    while (batch.next < keys.length && !keyAt(valueLine, valueKeyStart, valueKeyEnd, keys[batch.next])) {
      if (kind === KIND_MERGED) batch.resolves[batch.next](undefined);
      batch.next++;
    }
    if (batch.next === keys.length) throw new Error('raw: reply names a key that was not asked for');
    if (kind === KIND_MERGED) batch.resolves[batch.next](value);
    else batch.map.set(keys[batch.next], value);
    batch.next++;
  }

  function finishHead() {
    const kind = kinds[head];
    if (kind === KIND_GET) resolves[head](extras[head]);
    else if (kind === KIND_MULTI) resolves[head](extras[head].map);
    else if (kind === KIND_MERGED) {
      const batch = extras[head];
      for (let i = batch.next; i < batch.keys.length; i++) batch.resolves[i](undefined);
    } else resolves[head](true);
    pop();
  }

  function failHead(message) {
    const err = new Error(`raw: ${message}`);
    if (kinds[head] === KIND_MERGED) for (const r of extras[head].rejects) r(err);
    else rejects[head](err);
    pop();
  }

  /**
   * Parses one reply line buf[start, lf) (lf is the index of its LF). Returns the size of the value
   * body that follows for a VALUE line, else -1.
   */
  function line(buf, start, lf) {
    const c0 = buf[start];
    if (c0 === 86 /* V */) {
      // VALUE <key> <flags> <bytes>\r\n — the key from byte 6 to the next space, bytes = last token.
      const end = lf - 1; // the CR
      let k = start + 6;
      while (buf[k] !== SPACE) k++;
      valueKeyStart = start + 6;
      valueKeyEnd = k;
      valueLine = buf;
      let s = end - 1;
      while (buf[s] !== SPACE) s--;
      let size = 0;
      for (let i = s + 1; i < end; i++) size = size * 10 + (buf[i] - 48);
      return size;
    }
    if (c0 === 69 /* E */ && buf[start + 1] === 78 /* N */ && lf - start === 4)
      finishHead(); // END
    else if (c0 === 83 /* S */ && buf[start + 1] === 84 /* T */)
      finishHead(); // STORED
    else failHead(buf.latin1Slice(start, lf - 1));
    return -1;
  }

  function onData(chunk) {
    let pos = 0;
    const n = chunk.length;
    if (big !== null) {
      const take = Math.min(big.length - bigFilled, n);
      chunk.copy(big, bigFilled, 0, take);
      bigFilled += take;
      pos = take;
      if (bigFilled < big.length) return;
      finishBig();
    }
    if (tail !== null) {
      const lf = chunk.indexOf(LF, pos);
      if (lf < 0) {
        tail = Buffer.concat([tail, chunk.subarray(pos)]);
        return;
      }
      const l = Buffer.concat([tail, chunk.subarray(pos, lf + 1)]);
      tail = null;
      pos = lf + 1;
      const size = line(l, 0, l.length - 1);
      if (size >= 0) {
        if (n - pos >= size + 2) {
          deliverValue(chunk.subarray(pos, pos + size));
          pos += size + 2;
        } else {
          startBig(chunk, pos, size);
          return;
        }
      }
    }
    while (pos < n) {
      const lf = chunk.indexOf(LF, pos);
      if (lf < 0) {
        tail = chunk.subarray(pos);
        return;
      }
      const size = line(chunk, pos, lf);
      pos = lf + 1;
      if (size >= 0) {
        if (n - pos >= size + 2) {
          deliverValue(chunk.subarray(pos, pos + size));
          pos += size + 2;
        } else {
          startBig(chunk, pos, size);
          return;
        }
      }
    }
  }

  function finishBig() {
    deliverValue(big.subarray(0, big.length - 2));
    big = null;
    valueLine = null;
  }

  function startBig(chunk, pos, size) {
    // The key bytes live in a chunk we are about to let go of: keep them for the key match of a
    // merged get or a multi-get. A lone get's value is kept for its END without one (deliverValue),
    // so it copies nothing here (it did until 2026-12-08: ~300 instructions per 100 KiB get).
    if (kinds[head] !== KIND_GET) {
      valueLine = Buffer.from(valueLine.subarray(valueKeyStart, valueKeyEnd));
      valueKeyEnd -= valueKeyStart;
      valueKeyStart = 0;
    }
    big = Buffer.allocUnsafe(size + 2);
    bigFilled = chunk.copy(big, 0, pos);
  }

  function failAll(err) {
    while (count > 0) {
      if (kinds[head] === KIND_MERGED) for (const r of extras[head].rejects) r(err);
      else rejects[head](err);
      pop();
    }
  }

  if (readMode !== 'slab') sock.on('data', onData);
  sock.on('error', failAll);
  sock.on('close', () => failAll(new Error('raw: connection closed')));

  return {
    get,
    set,
    getMulti,
    close: async () => {
      sock.destroy();
    },
  };
}
