// A tour of mc against MEMCACHED_SERVERS (comma-separated). `pnpm demo` sets it for you.
import { Client } from '@mc/client';
import { HashClient } from '@mc/hash';
import { PooledClient } from '@mc/pool';

const servers = (process.env.MEMCACHED_SERVERS ?? '127.0.0.1:11211').split(',');
const prefix = `demo:${process.pid}:`;

const client = new Client(servers[0], { keyPrefix: prefix });
await client.set('greeting', 'hello from mc', { expire: 60 });
console.log('get        →', await client.get('greeting'));

await client.setMany({ a: 1, b: { nested: true }, c: Buffer.from('bytes') });
console.log('getMany    →', await client.getMany(['a', 'b', 'c', 'missing']));

const { value, cas } = await client.gets('a');
console.log(
  'cas        →',
  await client.cas('a', value + 1, cas),
  '(stored), then',
  await client.cas('a', 0, cas),
  '(token used)',
);
console.log('incr       →', await client.incr('a', 40n), '(bigint)');

const [x, y] = await Promise.all([client.get('a'), client.get('greeting')]);
console.log('pipelined  →', x, y);
console.log('version    →', await client.version());
await client.deleteMany(['greeting', 'a', 'b', 'c']);
await client.quit();

const pooled = new PooledClient(servers[0], { keyPrefix: prefix, maxPoolSize: 2 });
await pooled.set('pooled', 'yes');
console.log('pooled     →', await pooled.get('pooled'));
await pooled.delete('pooled');
await pooled.close();

const hash = new HashClient(servers, { keyPrefix: prefix });
await hash.setMany({ k1: 'one', k2: 'two', k3: 'three' });
console.log('hash       →', await hash.getMany(['k1', 'k2', 'k3']), `across ${servers.length} server(s)`);
await hash.deleteMany(['k1', 'k2', 'k3']);
await hash.close();
