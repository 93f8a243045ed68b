/**
 * Runs the built bin, dist/bin.js, the way `npx @mc/cli` runs it: a separate node process with real
 * stdio, exit codes and signals. It needs the build: CI runs `pnpm build` before `pnpm test`; locally,
 * run `pnpm --filter @mc/cli... build` (or `pnpm build`) first. The test fails, it does not skip,
 * when dist/bin.js is missing or older than a source file, so a stale build is never tested.
 * Everything else is tested in-process through run() (the other test files), against the sources.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@mc/client';
import { freePort, type MemcachedProcess, startMemcached } from '@mc/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';

const pkg = join(import.meta.dirname, '..');
const bin = join(pkg, 'dist', 'bin.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function mc(args: string[], input?: string) {
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    input,
    env: { PATH: process.env.PATH },
  });
}

describe('the built bin (dist/bin.js)', () => {
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm --filter @mc/cli... build\` first`);
    if (statSync(bin).mtimeMs < newestSource(join(pkg, 'src')))
      throw new Error(`${bin} is older than src/: run \`pnpm --filter @mc/cli... build\` again`);
  });

  it('starts with a node shebang, and package.json points "bin": { "mc" } at it', () => {
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(join(pkg, manifest.bin.mc!)).toBe(bin);
  });

  it('set, get (stdin value, MEMCACHED_SERVERS from the environment) and exits by itself', () => {
    const key = `${uniquePrefix('bin')}k`;
    const env = { PATH: process.env.PATH, MEMCACHED_SERVERS: inject('memcached') };
    const set = spawnSync(process.execPath, [bin, 'set', key], {
      encoding: 'utf8',
      timeout: 20_000,
      input: 'piped value',
      env,
    });
    expect(set.stderr).toBe('');
    expect(set.status).toBe(0);
    const get = spawnSync(process.execPath, [bin, 'get', key], { encoding: 'utf8', timeout: 20_000, env });
    expect(get.signal).toBeNull();
    expect(get.stdout).toBe(`${key}\tflags=16\tpiped value\n`);
    expect(get.status).toBe(0);
  });

  it('exit codes: 1 miss, 2 usage, 3 unreachable, with a message on stderr', async () => {
    const miss = mc(['--servers', inject('memcached'), 'get', `${uniquePrefix('bin')}none`]);
    expect(miss.status).toBe(1);
    expect(miss.stderr).toContain('not found');
    const usage = mc(['gett', 'k']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("unknown command 'gett'");
    const dead = mc(['--servers', `127.0.0.1:${await freePort()}`, 'ping']);
    expect(dead.status).toBe(3);
    expect(dead.stderr).toMatch(/cannot connect to 127\.0\.0\.1:\d+/);
  });

  describe('long-running commands', () => {
    let server: MemcachedProcess;
    beforeAll(async () => {
      server = await startMemcached();
      const c = new Client(server.address);
      for (let i = 0; i < 5000; i += 100)
        await c.setMany(Array.from({ length: 100 }, (_, j) => [`many:${i + j}`, 'v'] as const));
      await c.close();
    });
    afterAll(() => server?.stop());

    it('SIGINT stops stats --watch cleanly: exit 0, no stack trace', async () => {
      const child = spawn(process.execPath, [
        bin,
        '--servers',
        server.address,
        'stats',
        '--watch',
        '-i',
        '0.05',
      ]);
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('mc stats')) resolve();
        });
        closed.then(() => reject(new Error(`mc exited before its first refresh: ${err}`)));
      });
      child.kill('SIGINT');
      const code = await closed;
      expect(err).toBe('');
      expect(code).toBe(0);
    });

    it('`mc keys | head -1`: a reader that goes away ends the dump quietly', async () => {
      const child = spawn(process.execPath, [bin, '--servers', server.address, 'keys']);
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        closed.then(() => reject(new Error(`mc exited before its first key: ${err}`)));
      });
      child.stdout.destroy(); // like head exiting after its first line
      const code = await closed;
      expect(err).toBe('');
      expect(code).toBe(0);
    });
  });
});
