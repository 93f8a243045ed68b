// Local: runs one scenario's op N times for one client after a warm-up of W ops, under callgrind
// (local/icount.sh): counters are zeroed when the measured ops start and dumped when they end, so
// the dump holds those N ops alone.
// node local/icount.mjs <client> <addresses> <scenario> <N> [W=2000]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeClient } from '../src/clients.mjs';
import { SCENARIOS } from '../src/scenarios.mjs';

const control = (flag) => promisify(execFile)('callgrind_control', [flag, String(process.pid)]);
const [name, addresses, id, nArg, wArg = '2000'] = process.argv.slice(2);
const sc = SCENARIOS.find((s) => s.id === id);
const client = await makeClient(name, addresses.split(','));
const op = sc.op(client, () => {});
async function drive(total) {
  let issued = 0;
  const worker = async () => {
    while (issued < total) await op(issued++);
  };
  await Promise.all(Array.from({ length: sc.concurrency }, worker));
}
// Two warm-ups: the boundary between two drives (every worker done, the socket idle) runs code the
// loop does not, and its first time deoptimizes functions that then run in baseline code for a while.
await drive(Number(wArg) / 2);
await drive(Number(wArg) / 2);
await control('-z');
await drive(Number(nArg));
await control('-d');
await client.close();
process.exit(0);
