import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@mc/client';
import {
  type MemcachedProcess,
  startFakeConfigEndpoint,
  startFaultServer,
  startMemcached,
} from '@mc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCerts } from '../../../tests/certs.js';
import { jsonLines, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-cli-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ASCII auth (memcached -Y)', () => {
  let mc: MemcachedProcess;
  beforeAll(async () => {
    const authFile = join(dir, 'auth');
    writeFileSync(authFile, 'alice:s3cret\n');
    mc = await startMemcached({ args: ['-Y', authFile] });
  });
  afterAll(() => mc?.stop());
  const s = () => ['--servers', mc.address];

  it('with the right credentials every command works (flags or environment)', async () => {
    expect(
      (await runCli([...s(), '--username', 'alice', '--password', 's3cret', 'set', 'k', 'v'])).code,
    ).toBe(0);
    const env = { MEMCACHED_USERNAME: 'alice', MEMCACHED_PASSWORD: 's3cret' };
    expect((await runCli([...s(), 'get', 'k'], { env })).stdout).toBe('k\tflags=16\tv\n');
    expect((await runCli([...s(), 'ping'], { env })).code).toBe(0);
    expect((await runCli([...s(), 'stats'], { env })).code).toBe(0);
    const keys = await runCli([...s(), 'keys'], { env });
    expect(keys).toMatchObject({ code: 0, stdout: 'k\n' });
  });

  it('wrong credentials exit 4 with a hint, for keyed, per-server and metadump commands', async () => {
    const bad = [...s(), '--username', 'alice', '--password', 'nope'];
    for (const cmd of [['get', 'k'], ['ping'], ['stats'], ['keys'], ['bench', '-n', '5']]) {
      const r = await runCli([...bad, ...cmd]);
      expect(r.code, cmd.join(' ')).toBe(4);
      expect(r.stderr + r.stdout, cmd.join(' ')).toMatch(/authentication to .* failed/);
    }
    expect((await runCli([...bad, 'get', 'k'])).stderr).toContain('check --username/--password');
  });

  it('no credentials against a server that wants them: exit 4', async () => {
    const r = await runCli([...s(), 'get', 'k']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('unauthenticated');
    expect((await runCli([...s(), 'keys'])).code).toBe(4);
  });

  it('a username without a password is a usage error', async () => {
    expect((await runCli([...s(), '--username', 'alice', 'get', 'k'])).code).toBe(2);
  });
});

describe('TLS (memcached -Z)', () => {
  let mc: MemcachedProcess;
  let certs: { ca: string; cert: string; key: string };
  let otherCa: string;
  beforeAll(async () => {
    certs = makeCerts('cli');
    otherCa = makeCerts('cli-other').ca;
    mc = await startMemcached({
      args: ['-Z', '-o', `ssl_chain_cert=${certs.cert},ssl_key=${certs.key}`],
      tls: true,
    });
  });
  afterAll(() => mc?.stop());

  it('verifies the server against --tls-ca; set, get, ping and keys work over TLS', async () => {
    const t = ['--servers', mc.address, '--tls-ca', certs.ca];
    expect((await runCli([...t, 'set', 'tls:k', 'secret'])).code).toBe(0);
    expect((await runCli([...t, 'get', 'tls:k'])).stdout).toBe('tls:k\tflags=16\tsecret\n');
    expect((await runCli([...t, 'ping'])).code).toBe(0);
    expect((await runCli([...t, 'keys'])).stdout).toBe('tls:k\n');
  });

  it('a certificate from another CA is refused: exit 3 (cannot connect); --tls-insecure skips the check', async () => {
    const r = await runCli(['--servers', mc.address, '--tls-ca', otherCa, 'get', 'tls:k']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('MC_ERR_CONNECT');
    expect((await runCli(['--servers', mc.address, '--tls-insecure', 'ping'])).code).toBe(0);
  });

  it('a missing CA file is a usage error', async () => {
    const r = await runCli(['--servers', mc.address, '--tls-ca', join(dir, 'nope.pem'), 'ping']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tls-ca');
  });
});

describe('--discover (ElastiCache configuration endpoint)', () => {
  let a: MemcachedProcess;
  let b: MemcachedProcess;
  beforeAll(async () => {
    [a, b] = await Promise.all([startMemcached(), startMemcached()]);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('takes the nodes from the endpoint; keys land where ElastiCacheClient (ketama) puts them', async () => {
    const endpoint = await startFakeConfigEndpoint({
      nodes: [
        { hostname: 'localhost-a.invalid', ip: '127.0.0.1', port: a.port! },
        { hostname: 'localhost-b.invalid', ip: '127.0.0.1', port: b.port! },
      ],
    });
    try {
      const d = ['--discover', endpoint.address, '--use-ip'];
      const ping = await runCli([...d, '--json', 'ping']);
      expect(ping.code).toBe(0);
      const servers = (jsonLines(ping.stdout)[0]!.servers as { server: string }[]).map((x) => x.server);
      expect(servers).toEqual([a.address, b.address]);
      for (let i = 0; i < 20; i++) expect((await runCli([...d, 'set', `disc:${i}`, String(i)])).code).toBe(0);
      const { ElastiCacheClient } = await import('@mc/aws-discovery');
      const ec = new ElastiCacheClient(endpoint.address, { addressing: 'ip' });
      await ec.start();
      for (let i = 0; i < 20; i++) expect(await ec.get(`disc:${i}`)).toBe(String(i));
      await ec.close();
      // Both servers got some of the keys.
      for (const server of [a, b]) {
        const c = new Client(server.address);
        expect(Number((await c.stats()).curr_items)).toBeGreaterThan(0);
        await c.close();
      }
    } finally {
      await endpoint.close();
    }
  });

  it('an unreachable endpoint exits 3; --servers with --discover is a usage error', async () => {
    const endpoint = await startFakeConfigEndpoint({ nodes: [] });
    const address = endpoint.address;
    await endpoint.close();
    expect((await runCli(['--discover', address, 'ping'])).code).toBe(3);
    expect((await runCli(['--discover', address, '--servers', a.address, 'ping'])).code).toBe(2);
  });
});

describe('metadump replies that are not a dump', () => {
  it('BUSY (another crawl running) exits 5 with the server line', async () => {
    const server = await startFaultServer((socket, _chunk, state) => {
      if (state.buffer.includes('\r\n')) {
        state.buffer = Buffer.alloc(0);
        socket.write('BUSY currently processing crawler request\r\n');
      }
    });
    const r = await runCli(['--servers', server.address, 'keys']);
    await server.close();
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('lru_crawler metadump answered: BUSY currently processing crawler request');
  });

  it('a dump split at any byte boundary is read whole', async () => {
    const lines = Array.from(
      { length: 500 },
      (_, i) => `key=k${i} exp=-1 la=1 cas=${i + 1} fetch=no cls=1 size=60\n`,
    );
    const body = Buffer.from(`${lines.join('')}END\r\n`);
    const server = await startFaultServer((socket, _chunk, state) => {
      if (!state.buffer.includes('\r\n')) return;
      state.buffer = Buffer.alloc(0);
      // Odd-sized writes, so lines straddle chunks.
      const write = (at: number) => {
        if (at >= body.length) return;
        socket.write(body.subarray(at, at + 37), () => write(at + 37));
      };
      write(0);
    });
    const r = await runCli(['--servers', server.address, 'keys']);
    await server.close();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(Array.from({ length: 500 }, (_, i) => `k${i}\n`).join(''));
  });
});
