import { Client } from '@mc/client';
import { datedJsonSerde } from './src/index.js';

const server = (process.env.MEMCACHED_SERVERS ?? '127.0.0.1:11211').split(',')[0];
const client = new Client(server, { serde: datedJsonSerde(), keyPrefix: `demo:${process.pid}:` });
await client.set('event', { name: 'launch', at: new Date('2026-11-24T12:00:00Z') });
const event = await client.get('event');
console.log('custom serde →', event, '| at is a Date:', event.at instanceof Date);
await client.delete('event');
await client.quit();
