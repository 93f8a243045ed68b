import { Client } from '@mc/client';
import { freePort, type MemcachedProcess, startMemcached } from '@mc/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { jsonLines, runCli } from './run-cli.js';

const ESC = '\x1b[';

describe('mc stats', () => {
  let mc: MemcachedProcess;
  beforeAll(async () => {
    mc = await startMemcached({ memoryMb: 32 });
    const c = new Client(mc.address);
    for (let i = 0; i < 20; i++) await c.set(`k${i}`, 'v');
    for (let i = 0; i < 30; i++) await c.get(`k${i}`); // 20 hits, 10 misses
    await c.close();
  });
  afterAll(() => mc?.stop());

  it('--json: one object with the numbers the server reports', async () => {
    const r = await runCli(['--servers', mc.address, '--json', 'stats']);
    expect(r.code).toBe(0);
    const [snap] = jsonLines(r.stdout);
    const [server] = snap!.servers as Record<string, unknown>[];
    expect(server).toMatchObject({
      server: mc.address,
      ok: true,
      currItems: 20,
      limitMaxbytes: 32 * 1024 * 1024,
      evictions: 0,
      hitRatio: 20 / 30,
    });
    expect(server!.version).toMatch(/^1\.6\./);
    expect((server!.stats as Record<string, unknown>).get_misses).toBe(10);
  });

  it('the table, without escape codes when stdout is not a terminal', async () => {
    const r = await runCli(['--servers', mc.address, 'stats']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mc stats {2}\d{4}-/);
    const row = r.stdout.split('\n').find((l) => l.startsWith(mc.address))!;
    expect(row).toContain('66.7%');
    expect(row).toContain('/ 32.0 MiB');
    expect(r.stdout).not.toContain(ESC);
  });

  it('--watch --count 3: three refreshes; rates over the interval see new gets', async () => {
    const c = new Client(mc.address);
    const busy = (async () => {
      for (let i = 0; i < 200; i++) await c.get('k1');
    })();
    const r = await runCli([
      '--servers',
      mc.address,
      '--json',
      'stats',
      '--watch',
      '--interval',
      '0.05',
      '--count',
      '3',
    ]);
    await busy;
    await c.close();
    const snaps = jsonLines(r.stdout);
    expect(snaps).toHaveLength(3);
    const windows = snaps.map((s) => (s.servers as { window: number }[])[0]!.window);
    // The first sample is averaged over the uptime, the next ones over the interval (about 0.05 s).
    expect(windows[1]).toBeLessThan(windows[0]!);
  });

  it('on a terminal the table is redrawn in place (cursor up, clear)', async () => {
    const r = await runCli(['--servers', mc.address, 'stats', '-w', '-i', '0.01', '-n', '2'], {
      stdoutTTY: true,
    });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/mc stats/g)).toHaveLength(2);
    expect(r.stdout).toContain(`${ESC}3A${ESC}J`); // back over the title, the header and the one server row
  });

  it('Ctrl-C (the signal) ends --watch with the last refresh kept', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 150);
    const r = await runCli(['--servers', mc.address, 'stats', '--watch', '--interval', '0.02'], {
      signal: stop.signal,
    });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/mc stats/g)!.length).toBeGreaterThan(1);
  });

  it('--all and a stats group list every line per server; an unknown group is an ERROR (exit 5)', async () => {
    const all = await runCli(['--servers', mc.address, 'stats', '--all']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/\ncurr_items +20\n/);
    expect(all.stdout).toMatch(/\nlimit_maxbytes +33554432\n/);
    const settings = await runCli(['--servers', mc.address, '--json', 'stats', 'settings']);
    const [snap] = jsonLines(settings.stdout);
    expect((snap!.servers as { stats: Record<string, unknown> }[])[0]!.stats.maxbytes).toBe(32 * 1024 * 1024);
    const bad = await runCli(['--servers', mc.address, 'stats', 'nonsense']);
    expect(bad.code).toBe(5);
    expect(bad.stdout).toMatch(new RegExp(`stat +${mc.address.replace(/\./g, '\\.')}\\n`));
    expect(bad.stdout).toContain(
      `${mc.address}: ERROR: ERROR: the server does not know this command [MC_ERR_UNKNOWN_COMMAND]`,
    );
  });

  it('an unreachable server is shown DOWN next to the others and exits 3', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const r = await runCli(['--servers', `${mc.address},${dead}`, 'stats']);
    expect(r.code).toBe(3);
    expect(r.stdout.split('\n').find((l) => l.startsWith(dead))).toMatch(/DOWN/);
    expect(r.stdout).toContain(`${dead}: DOWN: cannot connect`);
    expect(r.stdout.split('\n').find((l) => l.startsWith(mc.address))).toMatch(/ up /);
  });
});

describe('mc keys', () => {
  let mc: MemcachedProcess;
  const p = 'user:';
  beforeAll(async () => {
    // The LRU maintainer moves items between the segmented LRUs while the crawler walks them, and a
    // moved item can be skipped by that dump (seen once in a loaded full run: 1 key of 352). Without
    // it the dump is exact, which is what this test checks.
    mc = await startMemcached({ args: ['-o', 'no_lru_maintainer'] });
    const c = new Client(mc.address);
    for (let i = 0; i < 300; i++) await c.set(`${p}${i}`, 'v', { expire: i % 2 ? 0 : 1000 });
    for (let i = 0; i < 50; i++) await c.set(`session:${i}`, 'v');
    await c.set('odd%key/with:bytes', 'v');
    await c.close();
    const unicode = new Client(mc.address, { allowUnicodeKeys: true });
    await unicode.set('café:ü', 'v');
    await unicode.close();
  });
  afterAll(() => mc?.stop());

  it('streams every key once', async () => {
    const r = await runCli(['--servers', mc.address, 'keys']);
    expect(r.code).toBe(0);
    const keys = r.stdout.split('\n').filter(Boolean).sort();
    const expected = [
      ...Array.from({ length: 300 }, (_, i) => `${p}${i}`),
      ...Array.from({ length: 50 }, (_, i) => `session:${i}`),
      'odd%key/with:bytes',
      'café:ü', // memcached dumps it URI-encoded as UTF-8 bytes
    ].sort();
    expect(keys).toEqual(expected);
  });

  it('--match filters with a glob; --json carries size and expiry', async () => {
    const r = await runCli(['--servers', mc.address, '--json', 'keys', '--match', 'user:1?']);
    const items = jsonLines(r.stdout);
    expect(items.map((i) => i.key).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `user:1${i}`).sort());
    for (const item of items) {
      expect(item.server).toBe(mc.address);
      expect(item.size).toBeGreaterThan(0);
      const n = Number((item.key as string).slice(5));
      if (n % 2) expect(item.exp).toBe(-1);
      else expect(item.exp).toBeGreaterThan(Date.now() / 1000);
    }
  });

  it('--limit stops early; --key-prefix lists only that prefix, without it', async () => {
    const limited = await runCli(['--servers', mc.address, 'keys', '--limit', '7']);
    expect(limited.stdout.split('\n').filter(Boolean)).toHaveLength(7);
    const scoped = await runCli(['--servers', mc.address, '--key-prefix', 'session:', 'keys']);
    expect(scoped.stdout.split('\n').filter(Boolean).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => String(i)).sort(),
    );
  });

  it('shows progress on a terminal stderr, and none when stderr is piped', async () => {
    const tty = await runCli(['--servers', mc.address, 'keys', '--match', 'nothing'], { stderrTTY: true });
    expect(tty.stderr).toMatch(new RegExp(`${mc.address} \\[[#.]+\\] \\d+/~352 items`));
    const piped = await runCli(['--servers', mc.address, 'keys', '--match', 'nothing']);
    expect(piped.stderr).toBe('');
  });

  it('an unreachable server exits 3', async () => {
    const r = await runCli(['--servers', `127.0.0.1:${await freePort()}`, 'keys']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot connect .*\[MC_ERR_CONNECT\]/);
  });
});

describe('mc ping', () => {
  it('reports version, connect time and round trips per server', async () => {
    const r = await runCli(['--servers', inject('memcached'), '--json', 'ping', '--count', '5']);
    expect(r.code).toBe(0);
    const [out] = jsonLines(r.stdout);
    const [server] = out!.servers as {
      ok: boolean;
      version: string;
      rttMs: { samples: number[]; min: number; max: number };
    }[];
    expect(server!.ok).toBe(true);
    expect(server!.version).toMatch(/^1\.6\./);
    expect(server!.rttMs.samples).toHaveLength(5);
    expect(server!.rttMs.min).toBeLessThanOrEqual(server!.rttMs.max);
  });

  it('exits 3 when a server is unreachable, and still reports the others', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const r = await runCli(['--servers', `${inject('memcached')},${dead}`, 'ping']);
    expect(r.code).toBe(3);
    expect(r.stdout.split('\n').find((l) => l.startsWith(inject('memcached')))).toMatch(/ up /);
    expect(r.stdout.split('\n').find((l) => l.startsWith(dead))).toMatch(/DOWN/);
    expect(r.stderr).toContain(`mc: ${dead}: cannot connect`);
  });

  it('a server that accepts but never answers times out: exit 3', async () => {
    const { startFaultServer } = await import('@mc/testing');
    const silent = await startFaultServer(() => {});
    const r = await runCli(['--servers', silent.address, '--timeout', '100', 'ping']);
    await silent.close();
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('MC_ERR_TIMEOUT');
  });
});

describe('mc bench', () => {
  it('runs exactly --requests requests and reports a histogram that adds up', async () => {
    const prefix = uniquePrefix('bench');
    const r = await runCli([
      '--servers',
      inject('memcached'),
      '--json',
      'bench',
      '--requests',
      '500',
      '--concurrency',
      '8',
      '--keys',
      '50',
      '--value-size',
      '64',
      '--bench-prefix',
      prefix,
    ]);
    expect(r.code).toBe(0);
    const [result] = jsonLines(r.stdout) as unknown as {
      requests: number;
      errors: number;
      hits: number;
      misses: number;
      histogram: { count: number }[];
      latencyMs: { p50: number; p99: number; max: number };
    }[];
    expect(result!.requests).toBe(500);
    expect(result!.errors).toBe(0);
    expect(result!.histogram.reduce((a, b) => a + b.count, 0)).toBe(500);
    expect(result!.latencyMs.p50).toBeLessThanOrEqual(result!.latencyMs.p99);
    expect(result!.latencyMs.p99).toBeLessThanOrEqual(result!.latencyMs.max);
    // The key space was written first, so every get hit.
    expect(result!.misses).toBe(0);
    expect(result!.hits).toBeGreaterThan(0);
    const c = new Client(inject('memcached'));
    expect((await c.get<Buffer>(`${prefix}0`))?.length).toBe(64);
    await c.close();
  });

  it('--duration bounds the run; the text report has the histogram; progress only on a terminal', async () => {
    const r = await runCli(
      [
        '--servers',
        inject('memcached'),
        'bench',
        '--op',
        'set',
        '--duration',
        '0.3',
        '--bench-prefix',
        uniquePrefix('bench'),
      ],
      { stderrTTY: true },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^set on .*: \d+ requests \(0 errors\)/);
    expect(r.stdout).toMatch(/latency ms {2}min .* p99 .* max/);
    expect(r.stdout).toMatch(/< +\d+ (µs|ms) +#+ +\d+ +[\d.]+%/);
    expect(r.stderr).toContain('ops/s');
  });

  it('exits 3 when the server is unreachable', async () => {
    const r = await runCli(['--servers', `127.0.0.1:${await freePort()}`, 'bench', '--requests', '10']);
    expect(r.code).toBe(3);
  });
});

describe('mc keys on a larger cache, with a slow reader', () => {
  let mc: MemcachedProcess;
  const count = 20_000;
  beforeAll(async () => {
    mc = await startMemcached({ memoryMb: 64 });
    const c = new Client(mc.address);
    for (let i = 0; i < count; i += 500)
      await c.setMany(Array.from({ length: 500 }, (_, j) => [`big:${i + j}`, 'v'] as const));
    await c.close();
  });
  afterAll(() => mc?.stop());

  it('every key arrives once when stdout pushes back (write returns false until it drains)', async () => {
    const { run } = await import('../src/index.js');
    const { EventEmitter } = await import('node:events');
    const lines: string[] = [];
    let waits = 0;
    const stdout = Object.assign(new EventEmitter(), {
      isTTY: false,
      write(chunk: string | Uint8Array) {
        lines.push(String(chunk));
        if (lines.length % 1000 !== 0) return true;
        waits++;
        setTimeout(() => stdout.emit('drain'), 5);
        return false;
      },
    });
    const stderr = { write: () => true };
    const code = await run(['--servers', mc.address, 'keys'], { stdout, stderr });
    expect(code).toBe(0);
    expect(waits).toBe(count / 1000);
    const keys = new Set(lines.map((l) => l.trimEnd()));
    expect(keys.size).toBe(count);
    for (let i = 0; i < count; i += 997) expect(keys.has(`big:${i}`)).toBe(true);
  });
});
