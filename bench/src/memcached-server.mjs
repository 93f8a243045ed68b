// Starts a memcached on a free 127.0.0.1 port for the bench and stops it by its PID. The bench's
// own small copy of what @mc/testing's startMemcached does, so the yardstick (raw, the peers)
// still runs while mc's packages are being rebuilt (@mc/testing's dist imports @mc/client).
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const answers = (port) =>
  new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => sock.write('version\r\n'));
    sock.once('data', (d) => done(d.toString('latin1').startsWith('VERSION')));
    sock.once('error', () => done(false));
  });

/** @param {{ memoryMb?: number, threads?: number, args?: string[] }} options */
export async function startServer({ memoryMb = 1024, threads = 2, args = [] } = {}) {
  const port = await freePort();
  const all = [
    '-m',
    String(memoryMb),
    '-t',
    String(threads),
    '-l',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    '0',
  ];
  if (process.getuid?.() === 0) all.push('-u', 'root');
  all.push(...args);
  const child = spawn(process.env.MEMCACHED_BIN || 'memcached', all, {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null) throw new Error(`memcached exited at start (args: ${all.join(' ')})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('memcached did not answer version within 10 s');
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    address: `127.0.0.1:${port}`,
    /** The memcached process's PID (local/worker-ab.mjs pins it with taskset). */
    pid: child.pid,
    args: all,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
