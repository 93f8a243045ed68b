// Local: runs one scenario's op N times for one client after a warm-up of W ops, under callgrind
// (local/icount.sh): counters are zeroed when the measured ops start and dumped when they end, so
// the dump holds those N ops alone.
// node local/icount.mjs <client> <addresses> <scenario> <N> [W=2000]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { scenarioDriver } from './drive.mjs';

const control = (flag) => promisify(execFile)('callgrind_control', [flag, String(process.pid)]);
const [name, addresses, id, nArg, wArg = '2000'] = process.argv.slice(2);
const { client, drive, warmUp } = await scenarioDriver(name, addresses, id);
await warmUp(Number(wArg));
await control('-z');
await drive(Number(nArg));
await control('-d');
await client.close();
process.exit(0);
