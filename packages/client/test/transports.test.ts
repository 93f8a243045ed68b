import { spawnSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MemcachedProcess, startFaultServer, startMemcached } from '@mc/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeCerts } from '../../../tests/certs.js';
import { uniquePrefix } from '../../../tests/helpers.js';
import { AuthError, Client, ClientReplyError, ConnectError } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-client-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS (memcached -Z)', () => {
  let mc: MemcachedProcess;
  let certs: { ca: string; cert: string; key: string };
  let otherCa: string;
  beforeAll(async () => {
    certs = makeCerts('good');
    otherCa = makeCerts('other').ca;
    mc = await startMemcached({ args: ['-Z', '-o', `ssl_chain_cert=${certs.cert},ssl_key=${certs.key}`] });
  });
  afterAll(() => mc?.stop());

  it('works with certificate verification on, against the test CA', async () => {
    const { readFileSync } = await import('node:fs');
    const c = new Client(mc.address, { tls: { ca: readFileSync(certs.ca) }, keyPrefix: uniquePrefix() });
    await c.set('k', 'over tls');
    expect(await c.get('k')).toBe('over tls');
    await c.close();
  });

  it('rejects a server whose certificate another CA signed', async () => {
    const { readFileSync } = await import('node:fs');
    const c = new Client(mc.address, { tls: { ca: readFileSync(otherCa) } });
    await expect(c.get('k')).rejects.toBeInstanceOf(ConnectError);
    await c.close();
  });
});

describe('ASCII auth (memcached -Y)', () => {
  let mc: MemcachedProcess;
  beforeAll(async () => {
    const authFile = join(dir, 'auth');
    writeFileSync(authFile, 'alice:s3cret\n');
    mc = await startMemcached({ args: ['-Y', authFile] });
  });
  afterAll(() => mc?.stop());

  it('authenticates first, then serves the queued requests', async () => {
    const c = new Client(mc.address, { auth: { username: 'alice', password: 's3cret' } });
    const [stored, got] = await Promise.all([c.set('k', 'v'), c.get('k')]);
    expect(stored).toBe(true);
    expect(got).toBe('v');
    await c.close();
  });

  it('wrong credentials give AuthError (MC_ERR_AUTH, not retryable), to every queued call', async () => {
    const c = new Client(mc.address, { auth: { username: 'alice', password: 'nope' } });
    const calls = [c.get('k'), c.set('k', 1)];
    for (const call of calls)
      await expect(call).rejects.toMatchObject({ code: 'MC_ERR_AUTH', retryable: false });
    await expect(c.get('k')).rejects.toBeInstanceOf(AuthError);
    await c.close();
  });
});

describe('Unix socket', () => {
  it('connects by path', async () => {
    const mc = await startMemcached({ unixSocket: true });
    const c = new Client(mc.path!);
    await c.set('k', 'unix');
    expect(await c.get('k')).toBe('unix');
    const c2 = new Client({ path: mc.path! });
    expect(await c2.get('k')).toBe('unix');
    await c.close();
    await c2.close();
    await mc.stop();
  });
});

describe('noreply errors never desynchronise the stream', () => {
  it('an error answered to a noreply set is reported, and the next get still gets its own reply', async () => {
    // memcached answers CLIENT_ERROR even to noreply commands it cannot parse; this server does it to every one.
    const server = await startFaultServer((socket, _chunk, state) => {
      for (;;) {
        const i = state.buffer.indexOf('\r\n');
        if (i < 0) return;
        const line = state.buffer.subarray(0, i).toString();
        state.buffer = state.buffer.subarray(i + 2);
        if (line.startsWith('set ')) {
          const size = Number(line.split(' ')[4]);
          state.buffer = state.buffer.subarray(size + 2);
          if (line.endsWith('noreply')) socket.write('CLIENT_ERROR bad data chunk\r\n');
          else socket.write('STORED\r\n');
        } else if (line === 'mn') socket.write('MN\r\n');
        else if (line === 'get __mc_noreply_fence__') socket.write('END\r\n');
        else if (line.startsWith('get ')) socket.write('VALUE k 16 1\r\nx\r\nEND\r\n');
      }
    });
    for (const noreplyFence of ['get', 'mn'] as const) {
      const errors: Error[] = [];
      const c = new Client(server.address, { noreplyFence, onNoreplyError: (e) => errors.push(e) });
      expect(await c.set('k', 'a', { noreply: true })).toBe(true);
      expect(await c.get('k')).toBe('x');
      expect(await c.set('k', 'b')).toBe(true);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(ClientReplyError);
      await c.close();
    }
    expect(server.received().toString()).toContain('get __mc_noreply_fence__\r\n');
    expect(server.received().toString()).toContain('\r\nmn\r\n');
    await server.close();
  });
});

describe('diagnostics channels', () => {
  it('publishes connect, command start/end and close', async () => {
    const seen: string[] = [];
    const on = (name: string) => (msg: unknown) =>
      seen.push(`${name}:${(msg as { command?: string }).command ?? ''}`);
    const handlers = [
      'mc:client:connect',
      'mc:client:command:start',
      'mc:client:command:end',
      'mc:client:close',
    ].map((n) => [n, on(n.split(':').slice(2).join(':'))] as const);
    for (const [n, h] of handlers) subscribe(n, h);
    const c = new Client(inject('memcached'), { keyPrefix: uniquePrefix() });
    await c.set('k', 1);
    await c.close();
    for (const [n, h] of handlers) unsubscribe(n, h);
    expect(seen).toEqual(['command:start:set', 'connect:', 'command:end:set', 'close:']);
  });

  it('publishes start and end for every merged get, the batch record reused or not', async () => {
    const seen: string[] = [];
    const onStart = (msg: unknown) => seen.push(`start:${(msg as { command: string }).command}`);
    const onEnd = (msg: unknown) => seen.push(`end:${(msg as { command: string }).command}`);
    subscribe('mc:client:command:start', onStart);
    subscribe('mc:client:command:end', onEnd);
    const c = new Client(inject('memcached'), { keyPrefix: uniquePrefix() });
    try {
      // Three serial gets reuse one batch and its record; two concurrent ones share a command.
      for (let i = 0; i < 3; i++) expect(await c.get(`k${i}`)).toBeUndefined();
      await Promise.all([c.get('a'), c.get('b')]);
    } finally {
      await c.close();
      unsubscribe('mc:client:command:start', onStart);
      unsubscribe('mc:client:command:end', onEnd);
    }
    expect(seen).toEqual([
      'start:get',
      'end:get',
      'start:get',
      'end:get',
      'start:get',
      'end:get',
      'start:get',
      'end:get',
    ]);
  });
});

describe('process lifetime', () => {
  it('a script that uses the client and closes it exits by itself (no timer or socket left)', () => {
    const script = `
      import { Client } from '@mc/client';
      const c = new Client(process.argv[1], { timeout: 60000, connectTimeout: 60000 });
      await c.set('lifetime:k', 'v');
      if ((await c.get('lifetime:k')) !== 'v') process.exit(2);
      await c.quit();
      const d = new Client(process.argv[1], { timeout: 60000 });
      await d.get('lifetime:k');
      await d.close();
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, inject('memcached')], {
      cwd: join(import.meta.dirname, '..'),
      timeout: 15_000,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
  });
});
