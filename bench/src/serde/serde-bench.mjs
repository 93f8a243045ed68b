// Serialize+deserialize throughput and stored size per serde. Usage: node src/serde/serde-bench.mjs
// (after `pnpm build`). Bounded: each of the 12 cells runs ~1 s at most (or its iteration cap), ~15 s in all.
// The default serde stores a Buffer as raw bytes without a copy, so its Buffer row measures the call overhead.
import { isDeepStrictEqual } from 'node:util';
import { defaultSerde, withCodec, zlibCodec } from '@mc/serde';
import { lz4Codec } from '@mc/serde-lz4';
import { msgpackSerde } from '@mc/serde-msgpack';

const small = {
  id: 12345,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  roles: ['admin', 'dev'],
  active: true,
  score: 98.5,
  tags: { a: 1, b: 2 },
  bio: 'Mathematician and writer, known for the Analytical Engine.',
};
const doc = {
  items: Array.from({ length: 1700 }, (_, i) => ({
    id: i,
    title: `item ${i}`,
    price: i * 1.25,
    tags: ['x', 'y'],
  })),
};
const buf = Buffer.alloc(1 << 20);
for (let i = 0; i < buf.length; i++) buf[i] = (i * 31) % 251 < 200 ? 97 + (i % 7) : i % 256;

const serdes = {
  'default JSON': defaultSerde,
  msgpack: msgpackSerde(),
  'msgpack+lz4': withCodec(msgpackSerde(), lz4Codec(), { minSize: 256 }),
  'JSON+zlib': withCodec(defaultSerde, zlibCodec(), { minSize: 256 }),
};
const values = {
  'small object (~200 B JSON)': [small, 2_000_000],
  '100 KiB JSON document': [doc, 20_000],
  '1 MiB Buffer': [buf, 1_000_000],
};
const CELL_MS = 1000;
const WARMUP = 5;

console.log(
  `JSON size of the small object: ${JSON.stringify(small).length} B; of the document: ${(JSON.stringify(doc).length / 1024).toFixed(0)} KiB`,
);
console.log('| value | serde | round trips/s | MB/s (input) | stored bytes |');
console.log('|---|---|---|---|---|');
for (const [vname, [value, maxIterations]] of Object.entries(values)) {
  for (const [sname, serde] of Object.entries(serdes)) {
    const once = serde.serialize('k', value);
    // A benchmark of a serde that loses data would be meaningless: check the round trip first.
    if (!isDeepStrictEqual(serde.deserialize('k', once.bytes, once.flags), value))
      throw new Error(`${sname} does not round-trip the ${vname}`);
    for (let i = 0; i < WARMUP; i++) roundTrip(serde, value);
    const inputBytes = value === buf ? buf.length : JSON.stringify(value).length;
    const t0 = performance.now();
    let n = 0;
    // Check the clock every few iterations only, so timing does not dominate small values.
    while (n < maxIterations && (n % 16 !== 0 || performance.now() - t0 < CELL_MS)) {
      roundTrip(serde, value);
      n++;
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `| ${vname} | ${label(sname, value)} | ${fmt(n / secs)} | ${fmt((inputBytes * n) / 1e6 / secs)} | ${once.bytes.length} |`,
    );
  }
}

/** The default serde writes JSON only for objects: name what it does with a Buffer. */
function label(sname, value) {
  if (!Buffer.isBuffer(value)) return sname;
  return { 'default JSON': 'default (raw bytes)', 'JSON+zlib': 'default+zlib' }[sname] ?? sname;
}

function roundTrip(serde, value) {
  const s = serde.serialize('k', value);
  return serde.deserialize('k', s.bytes, s.flags);
}

function fmt(x) {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}
