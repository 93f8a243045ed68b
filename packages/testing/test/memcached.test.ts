import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeMidValueServer, MemcachedNotFoundError, stallServer, startMemcached } from '../src/index.js';

function ask(target: { port?: number; host?: string; path?: string }, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = target.path ? connect(target.path) : connect(target.port!, target.host!);
    let out = '';
    s.on('connect', () => s.write(line));
    s.on('data', (d) => {
      out += d.toString();
      if (out.endsWith('\r\n')) {
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
  });
}

describe('startMemcached', () => {
  it('starts a real memcached on a free TCP port and stops it by PID', async () => {
    const mc = await startMemcached();
    expect(mc.port).toBeGreaterThan(0);
    expect(await ask(mc, 'version\r\n')).toMatch(/^VERSION \d+\.\d+/);
    const pid = mc.pid;
    await mc.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('starts on a Unix socket with extra args', async () => {
    const mc = await startMemcached({ unixSocket: true, args: ['-I', '2m'] });
    expect(mc.path).toMatch(/memcached\.sock$/);
    expect(await ask(mc, 'stats settings\r\n')).toContain('STAT');
    await mc.stop();
  });

  it('fails with a message that says how to install memcached', async () => {
    await expect(startMemcached({ bin: '/nonexistent/memcached' })).rejects.toBeInstanceOf(
      MemcachedNotFoundError,
    );
    await expect(startMemcached({ bin: '/nonexistent/memcached' })).rejects.toThrow(/bootstrap\.sh/);
  });
});

describe('fault servers', () => {
  it('stall server records bytes and never answers', async () => {
    const f = await stallServer();
    const s = connect(f.port, f.host);
    await new Promise((r) => s.on('connect', r));
    s.write('get a\r\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(f.received().toString()).toBe('get a\r\n');
    s.destroy();
    await f.close();
  });

  it('close-mid-value server cuts the connection inside a value', async () => {
    const f = await closeMidValueServer();
    const s = connect(f.port, f.host);
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
    });
    s.write('get k\r\n');
    await new Promise((r) => s.on('close', r));
    expect(got).toBe('VALUE k 0 10\r\nabc');
    await f.close();
  });
});
