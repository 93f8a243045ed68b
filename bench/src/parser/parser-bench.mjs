// Parser throughput: MB/s and replies/s for typical replies, next to a plain Buffer.indexOf scan of
// the same bytes (the floor any parser pays to find CRLFs). The stream is fed in 64 KiB chunks, as a
// socket delivers it. Bounded: a fixed amount of work, a few seconds in all.
// Usage (after `pnpm --filter @mc/protocol build`): pnpm --filter @mc/bench bench:parser
import { Expect, ReplyParser } from '@mc/protocol';

function valueReply(key, size) {
  return Buffer.concat([
    Buffer.from(`VALUE ${key} 0 ${size}\r\n`),
    Buffer.alloc(size, 0x61),
    Buffer.from('\r\n'),
  ]);
}

const cases = [
  {
    name: '100-byte get replies',
    reply: Buffer.concat([valueReply('key:12345', 100), Buffer.from('END\r\n')]),
    repeat: 100000,
    chunk: 65536,
  },
  {
    name: '100-key multi-get replies',
    reply: Buffer.concat([
      ...Array.from({ length: 100 }, (_, i) => valueReply(`key:${i}`, 100)),
      Buffer.from('END\r\n'),
    ]),
    repeat: 1000,
    chunk: 65536,
  },
  {
    name: '1 MiB values',
    reply: Buffer.concat([valueReply('big', 1 << 20), Buffer.from('END\r\n')]),
    repeat: 100,
    chunk: 65536,
  },
  {
    name: '16 MiB values',
    reply: Buffer.concat([valueReply('huge', 16 << 20), Buffer.from('END\r\n')]),
    repeat: 8,
    chunk: 65536,
  },
];

function chunks(buf, size) {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function bench(fn, bytes) {
  for (let w = 0; w < 3; w++) fn(); // warm-up: let the JIT settle before timing
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  const ms = runs[3]; // median
  return { ms, mbps: bytes / 1e6 / (ms / 1000) };
}

console.log(`Node ${process.version}, ${process.arch}`);
console.log('| reply | parser MB/s | parser replies/s | indexOf scan MB/s | parser / scan |');
console.log('|---|---|---|---|---|');
for (const c of cases) {
  const stream = Buffer.concat(Array.from({ length: c.repeat }, () => c.reply));
  const parts = chunks(stream, c.chunk);
  const parse = bench(() => {
    const p = new ReplyParser();
    let n = 0;
    for (const part of parts) {
      p.push(part);
      while (p.read(Expect.Values)) n++;
    }
    if (n !== c.repeat) throw new Error(`parsed ${n} replies, expected ${c.repeat}`);
  }, stream.length);
  const scan = bench(() => {
    let n = 0;
    for (const part of parts) for (let i = part.indexOf(10); i >= 0; i = part.indexOf(10, i + 1)) n++;
    if (n < 0) throw new Error('unreachable');
  }, stream.length);
  const rps = c.repeat / (parse.ms / 1000);
  console.log(
    `| ${c.name} | ${parse.mbps.toFixed(0)} | ${Math.round(rps).toLocaleString('en-US')} | ${scan.mbps.toFixed(0)} | ${(parse.mbps / scan.mbps).toFixed(2)} |`,
  );
}
