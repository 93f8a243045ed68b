import { Client } from '@mc/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { jsonLines, runCli } from './run-cli.js';

const server = inject('memcached');
const s = ['--servers', server];

describe('mc get / set / delete / touch / incr against real memcached', () => {
  const p = uniquePrefix('cli');
  const client = new Client(server);
  afterAll(() => client.close());

  it('set then get shows the value with its flags (text: 16); exit 0', async () => {
    const set = await runCli([...s, 'set', `${p}greeting`, 'hello world']);
    expect(set).toMatchObject({ code: 0, stdout: 'STORED\n', stderr: '' });
    const got = await runCli([...s, 'get', `${p}greeting`]);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(`${p}greeting\tflags=16\thello world\n`);
    // What the CLI stored is what the library reads.
    expect(await client.get(`${p}greeting`)).toBe('hello world');
  });

  it('decodes what the library wrote: integers, JSON, bytes; --raw shows the stored bytes', async () => {
    await client.set(`${p}n`, 42);
    await client.set(`${p}obj`, { name: 'Ada', tags: [1, 2] });
    await client.set(`${p}bin`, Buffer.from([0, 1, 2, 255]));
    const got = await runCli([...s, 'get', `${p}n`, `${p}obj`, `${p}bin`]);
    expect(got.code).toBe(0);
    expect(got.stdout.split('\n')).toEqual([
      `${p}n\tflags=2\t42`,
      `${p}obj\tflags=32\t{"name":"Ada","tags":[1,2]}`,
      `${p}bin\tflags=0\tbase64:AAEC/w==`,
      '',
    ]);
    const raw = await runCli([...s, 'get', '--raw', `${p}obj`]);
    expect(raw.stdout).toBe(`${p}obj\tflags=32\t{"name":"Ada","tags":[1,2]}\n`);
    const exact = await runCli([...s, 'get', '--raw', '--value', `${p}bin`]);
    expect(exact.stdoutBytes.equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
  });

  it('a miss exits 1, says so on stderr, and the hits are still printed', async () => {
    await client.set(`${p}here`, 'yes');
    const r = await runCli([...s, 'get', `${p}here`, `${p}absent`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${p}here\tflags=16\tyes\n`);
    expect(r.stderr).toBe(`mc: ${p}absent: not found\n`);
  });

  it('--json writes one object per key, bigints as exact numbers, bytes as base64', async () => {
    await client.set(`${p}big`, 2n ** 63n + 5n);
    await client.set(`${p}b`, Buffer.from('\x00x'));
    const r = await runCli([...s, '--json', 'get', `${p}big`, `${p}b`, `${p}nope`]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      `{"key":"${p}big","hit":true,"flags":2,"size":19,"value":9223372036854775813}`,
    );
    expect(jsonLines(r.stdout).slice(1)).toEqual([
      { key: `${p}b`, hit: true, flags: 0, size: 2, base64: Buffer.from('\x00x').toString('base64') },
      { key: `${p}nope`, hit: false },
    ]);
  });

  it('set --type int|json|bytes, --flags, --ttl, and the value from stdin', async () => {
    expect((await runCli([...s, 'set', '--type', 'int', `${p}i`, '18446744073709551615'])).code).toBe(0);
    expect(await client.get(`${p}i`)).toBe(18446744073709551615n);
    expect((await runCli([...s, 'set', '--type', 'json', `${p}j`, '{"a":[true,null]}'])).code).toBe(0);
    expect(await client.get(`${p}j`)).toEqual({ a: [true, null] });
    const piped = Buffer.from([9, 8, 7, 0]);
    const r = await runCli([...s, 'set', '--type', 'bytes', '--flags', '65536', '--ttl', '100', `${p}raw`], {
      stdin: piped,
    });
    expect(r.code).toBe(0);
    const [shown] = jsonLines((await runCli([...s, '--json', 'get', `${p}raw`])).stdout);
    expect(shown).toMatchObject({ flags: 65536, size: 4 });
    expect((await client.metaGet(`${p}raw`, { ttl: true, value: false }))?.ttl).toBeGreaterThan(90);
    const back = await runCli([...s, 'get', '--raw', '--value', `${p}raw`]);
    expect(back.stdoutBytes.equals(piped)).toBe(true);
  });

  it('set --mode add does not overwrite: NOT_STORED, exit 1', async () => {
    await client.set(`${p}once`, 'first');
    const r = await runCli([...s, 'set', '--mode', 'add', `${p}once`, 'second']);
    expect(r).toMatchObject({ code: 1, stdout: 'NOT_STORED\n' });
    expect(await client.get(`${p}once`)).toBe('first');
  });

  it('delete and touch report per key; a missing key exits 1', async () => {
    await client.set(`${p}d1`, 'x');
    const del = await runCli([...s, 'delete', `${p}d1`, `${p}d2`]);
    expect(del.code).toBe(1);
    expect(del.stdout).toBe(`${p}d1\tDELETED\n${p}d2\tNOT_FOUND\n`);
    expect(await client.get(`${p}d1`)).toBeUndefined();
    await client.set(`${p}t`, 'x');
    const t = await runCli([...s, '--json', 'touch', '--ttl', '500', `${p}t`]);
    expect(t.code).toBe(0);
    expect(jsonLines(t.stdout)).toEqual([{ key: `${p}t`, touched: true }]);
    expect((await client.metaGet(`${p}t`, { ttl: true, value: false }))?.ttl).toBeGreaterThan(400);
  });

  it('incr/decr print the new value exactly past 2^53; a missing counter exits 1', async () => {
    await client.set(`${p}c`, 2 ** 53);
    const r = await runCli([...s, 'incr', `${p}c`, '3']);
    expect(r).toMatchObject({ code: 0, stdout: '9007199254740995\n' });
    const d = await runCli([...s, 'decr', `${p}c`]);
    expect(d.stdout).toBe('9007199254740994\n');
    const miss = await runCli([...s, '--json', 'incr', `${p}missing`]);
    expect(miss.code).toBe(1);
    expect(jsonLines(miss.stdout)).toEqual([{ key: `${p}missing`, found: false, value: null }]);
  });

  it('--key-prefix is prepended to every key', async () => {
    const r = await runCli([...s, '--key-prefix', p, 'set', 'pfx', 'v']);
    expect(r.code).toBe(0);
    expect(await client.get(`${p}pfx`)).toBe('v');
  });

  it('non-ASCII keys need --unicode-keys (exit 2 without, nothing sent)', async () => {
    expect((await runCli([...s, 'set', `${p}café`, 'v'])).code).toBe(2);
    expect((await runCli([...s, '--unicode-keys', 'set', `${p}café`, 'crème'])).code).toBe(0);
    const r = await runCli([...s, '--unicode-keys', 'get', `${p}café`]);
    expect(r.stdout).toBe(`${p}café\tflags=16\tcrème\n`);
  });

  it('global options work after the command name too', async () => {
    await client.set(`${p}late`, 'v');
    const r = await runCli(['get', `${p}late`, '--servers', server, '--json']);
    expect(jsonLines(r.stdout)).toEqual([{ key: `${p}late`, hit: true, flags: 16, size: 1, value: 'v' }]);
  });

  it('servers come from MEMCACHED_SERVERS when --servers is not given', async () => {
    await client.set(`${p}env`, 'from env');
    const r = await runCli(['get', `${p}env`], { env: { MEMCACHED_SERVERS: server } });
    expect(r.stdout).toBe(`${p}env\tflags=16\tfrom env\n`);
  });
});

describe('bad arguments exit 2 before anything is sent', () => {
  it.each([
    [['frobnicate']],
    [['get']],
    [['--timeout', 'soon', 'ping']],
    [['set', '--ttl', '-1', 'k', 'v']],
    [['set', '--type', 'int', 'k', 'twelve']],
    [['incr', 'k', '-5']],
    [['touch', 'k']],
    [['bench', '--op', 'scan']],
  ])('%j', async (args) => {
    const r = await runCli(['--servers', '127.0.0.1:1', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error|mc:/);
    // 127.0.0.1:1 refuses connections: a 2 (not a 3) proves nothing was attempted.
  });

  it('an invalid key is a usage error, with the library error code', async () => {
    const r = await runCli(['--servers', '127.0.0.1:1', 'get', 'has space']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MC_ERR_INVALID_KEY');
  });

  it('set without VALUE and without piped stdin is a usage error', async () => {
    const r = await runCli(['--servers', '127.0.0.1:1', 'set', 'k']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pipe the value on stdin');
  });

  it('--help and --version exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
