// Local: one client running one scenario's op in this process, for the local measuring tools
// (icount.mjs, rusage.mjs). drive(n) issues n ops with the scenario's concurrency and waits for them;
// warmUp(w) drives twice, w / 2 each: the boundary between two drives (every worker done, the socket
// idle) runs code the loop does not, and its first time deoptimizes functions that then run in
// baseline code for a while, which a measurement right after the first boundary would count.
import { makeClient } from '../src/clients.mjs';
import { SCENARIOS } from '../src/scenarios.mjs';

export async function scenarioDriver(name, addresses, id) {
  const sc = SCENARIOS.find((s) => s.id === id);
  if (!sc) throw new Error(`unknown scenario ${id}`);
  const client = await makeClient(name, addresses.split(','));
  const op = sc.op(client, () => {});
  async function drive(total) {
    let issued = 0;
    const worker = async () => {
      while (issued < total) await op(issued++);
    };
    await Promise.all(Array.from({ length: sc.concurrency }, worker));
  }
  async function warmUp(total) {
    await drive(total / 2);
    await drive(total / 2);
  }
  return { client, drive, warmUp };
}
