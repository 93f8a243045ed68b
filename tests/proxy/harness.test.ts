import { connect } from 'node:net';
import {
  NutcrackerNotFoundError,
  nutcrackerConfig,
  startLegacyServer,
  startMemcached,
  startNutcracker,
} from '@mc/testing';
import { describe, expect, it } from 'vitest';

/** Sends raw bytes and collects what comes back until `until` matches (bounded by 2 s). */
function talk(port: number, bytes: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no ${until} in ${JSON.stringify(out)}`));
    }, 2000);
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (until.test(out)) {
        clearTimeout(t);
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
    s.once('connect', () => s.write(bytes));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startNutcracker', () => {
  it('writes a memcached pool config: weights added, names kept', () => {
    const yaml = nutcrackerConfig({
      host: '127.0.0.1',
      port: 2000,
      servers: ['127.0.0.1:11211', '127.0.0.1:11212:3', '127.0.0.1:11213:1 cache-c'],
      hash: 'md5',
    });
    expect(yaml).toContain('  listen: 127.0.0.1:2000\n');
    expect(yaml).toContain('  hash: md5\n  distribution: ketama\n');
    expect(yaml).toContain('  redis: false\n');
    expect(yaml).toContain(
      '  servers:\n    - 127.0.0.1:11211:1\n    - 127.0.0.1:11212:3\n    - 127.0.0.1:11213:1 cache-c\n',
    );
  });

  it('starts on a free port, forwards to memcached, and stop() ends the process by PID', async () => {
    const backend = await startMemcached();
    const nc = await startNutcracker({ servers: [backend.address] });
    try {
      expect(nc.port).not.toBe(backend.port);
      expect(alive(nc.pid)).toBe(true);
      expect(await talk(nc.port, 'set k 0 0 1\r\nv\r\nget k\r\n', /END\r\n$/)).toBe(
        'STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n',
      );
    } finally {
      await nc.stop();
      await backend.stop();
    }
    expect(alive(nc.pid)).toBe(false);
  });

  it('says how to install it when the binary is missing', async () => {
    await expect(
      startNutcracker({ servers: ['127.0.0.1:1'], bin: '/nonexistent/nutcracker' }),
    ).rejects.toThrow(NutcrackerNotFoundError);
  });
});

describe('startLegacyServer (memcached 1.5 fake)', () => {
  it('answers ERROR to each meta command, and the text protocol goes on after them', async () => {
    const s = await startLegacyServer();
    try {
      const out = await talk(
        s.port,
        'mn\r\nmg k v\r\nma k\r\nmd k\r\nme k\r\nversion\r\n',
        /VERSION .*\r\n$/,
      );
      expect(out).toBe('ERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nVERSION 1.5.22\r\n');
      // ms carries a data block that 1.5 does not know is one: the data line is another unknown command.
      expect(await talk(s.port, 'ms k 1\r\nv\r\nversion\r\n', /VERSION .*\r\n$/)).toBe(
        'ERROR\r\nERROR\r\nVERSION 1.5.22\r\n',
      );
      expect(s.commands.slice(0, 5)).toEqual(['mn', 'mg', 'ma', 'md', 'me']);
    } finally {
      await s.close();
    }
  });

  it('noreply as memcached: replies and errors suppressed; a bad data chunk, then the rest read as a command', async () => {
    const s = await startLegacyServer();
    try {
      // The same bytes give the same answer from a real memcached 1.6.18 (checked by hand).
      const noreply =
        'set a 0 0 1 noreply\r\n1\r\nincr a 4 noreply\r\nincr a x noreply\r\nincr zz 1 noreply\r\n';
      expect(await talk(s.port, `${noreply}set b 0 0 1 noreply\r\nxyz\r\nget a\r\n`, /END\r\n$/)).toBe(
        'ERROR\r\nVALUE a 0 1\r\n5\r\nEND\r\n',
      );
      expect(await talk(s.port, 'set b 0 0 1\r\nxyz\r\nget b\r\n', /END\r\n$/)).toBe(
        'CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n',
      );
      expect(s.items.get('a')?.toString()).toBe('5');
    } finally {
      await s.close();
    }
  });
});
