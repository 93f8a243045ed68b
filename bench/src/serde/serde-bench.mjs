// Serialize+deserialize throughput and stored size per serde. Usage: node src/serde/serde-bench.mjs
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
  'small object (~200 B JSON)': [small, 20000],
  '100 KiB JSON document': [doc, 200],
  '1 MiB Buffer': [buf, 60],
};

console.log(
  `JSON size of the small object: ${JSON.stringify(small).length} B; of the document: ${(JSON.stringify(doc).length / 1024).toFixed(0)} KiB`,
);
console.log('| value | serde | round trips/s | MB/s (input) | stored bytes |');
console.log('|---|---|---|---|---|');
for (const [vname, [value, n]] of Object.entries(values)) {
  for (const [sname, serde] of Object.entries(serdes)) {
    const once = serde.serialize('k', value);
    const inputBytes = value === buf ? buf.length : JSON.stringify(value).length;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const s = serde.serialize('k', value);
      serde.deserialize('k', s.bytes, s.flags);
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `| ${vname} | ${sname} | ${(n / secs).toFixed(0)} | ${((inputBytes * n) / 1e6 / secs).toFixed(0)} | ${once.bytes.length} |`,
    );
  }
}
