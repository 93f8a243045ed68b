import { readFileSync, rmSync } from 'node:fs';
import { ConnectError } from '@mc/client';
import { startFakeConfigEndpoint, startMemcached } from '@mc/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCerts } from '../../../tests/certs.js';
import { DiscoveryError, ElastiCacheClient } from '../src/index.js';

const certs = makeCerts('aws');
const other = makeCerts('aws-other');
afterAll(() => {
  rmSync(certs.dir, { recursive: true, force: true });
  rmSync(other.dir, { recursive: true, force: true });
});

describe('TLS to the endpoint and to the nodes', () => {
  it('discovers over TLS and talks TLS to every node, with verification on', async () => {
    const node = await startMemcached({
      args: ['-Z', '-o', `ssl_chain_cert=${certs.cert},ssl_key=${certs.key}`],
    });
    const ep = await startFakeConfigEndpoint({
      version: 1,
      nodes: [{ hostname: 'localhost', ip: '127.0.0.1', port: node.port! }],
      tls: { cert: readFileSync(certs.cert), key: readFileSync(certs.key) },
    });
    const client = new ElastiCacheClient(ep.address, {
      tls: { ca: readFileSync(certs.ca) },
      addressing: 'ip',
    });
    await client.start();
    expect(await client.set('tls', 'yes')).toBe(true);
    expect(await client.get('tls')).toBe('yes');
    await client.close();

    // A client that trusts another CA refuses the endpoint.
    const wrong = new ElastiCacheClient(ep.address, { tls: { ca: readFileSync(other.ca) } });
    const err = (await wrong.start().catch((e) => e)) as DiscoveryError;
    expect(err).toBeInstanceOf(DiscoveryError);
    expect(err.cause).toBeInstanceOf(ConnectError);
    await wrong.close();
    await ep.close();
    await node.stop();
  });
});
