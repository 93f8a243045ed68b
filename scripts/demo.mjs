// Runs every example in examples/ against MEMCACHED_SERVERS, or against a memcached started here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
let server;
if (!process.env.MEMCACHED_SERVERS) {
  const { startMemcached } = await import('../packages/testing/dist/index.js');
  server = await startMemcached();
  process.env.MEMCACHED_SERVERS = server.address;
  console.log(`[demo] started memcached on ${server.address} (pid ${server.pid})`);
} else {
  console.log(`[demo] using MEMCACHED_SERVERS=${process.env.MEMCACHED_SERVERS}`);
}

let failed = 0;
try {
  const examples = existsSync(join(root, 'examples')) ? readdirSync(join(root, 'examples')).sort() : [];
  for (const name of examples) {
    const pj = join(root, 'examples', name, 'package.json');
    if (!existsSync(pj) || !JSON.parse(readFileSync(pj, 'utf8')).scripts?.demo) continue;
    console.log(`\n[demo] examples/${name}`);
    const r = spawnSync('pnpm', ['run', '--silent', 'demo'], {
      cwd: join(root, 'examples', name),
      stdio: 'inherit',
      env: process.env,
    });
    if (r.status !== 0) {
      failed++;
      console.error(`[demo] examples/${name} failed (exit ${r.status})`);
    }
  }
} finally {
  await server?.stop();
}
process.exit(failed ? 1 : 0);
