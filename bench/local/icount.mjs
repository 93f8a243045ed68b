// Local: runs one scenario's op N times for one client (after a warm-up of W ops), for instruction
// counts under valgrind (local/icount.sh): the difference between two N is the per-op count.
// node local/icount.mjs <client> <addresses> <scenario> <N> [W=2000]
import { makeClient } from '../src/clients.mjs';
import { SCENARIOS } from '../src/scenarios.mjs';

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
await drive(Number(wArg));
await drive(Number(nArg));
await client.close();
process.exit(0);
