import { connect } from 'node:net';

/** An item as memcached stores it: the bytes and the client flags, with no serde in between. */
export interface RawItem {
  flags: number;
  bytes: Buffer;
}

/**
 * Reads items over a fresh TCP connection with the text protocol's `get`, so the interop test can
 * compare the exact bytes and flags each side stored, independently of any client code.
 */
export async function rawGet(server: string, keys: readonly string[]): Promise<Map<string, RawItem>> {
  let items: Map<string, RawItem> | undefined;
  await exchange(server, `get ${keys.join(' ')}\r\n`, (reply) => {
    items = parseValues(reply);
    return items !== undefined;
  });
  return items as Map<string, RawItem>;
}

/** Parses a complete `get` reply; undefined while it is still incomplete. Lengths, never searches, delimit values. */
function parseValues(reply: Buffer): Map<string, RawItem> | undefined {
  const items = new Map<string, RawItem>();
  let at = 0;
  for (;;) {
    const eol = reply.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const line = reply.subarray(at, eol).toString('latin1');
    if (line === 'END') return items;
    const [word, key, flags, length] = line.split(' ');
    if (word !== 'VALUE' || key === undefined || flags === undefined || length === undefined)
      throw new Error(`unexpected reply line ${JSON.stringify(line)}`);
    const start = eol + 2;
    const end = start + Number(length);
    if (reply.length < end + 2) return undefined;
    items.set(key, { flags: Number(flags), bytes: Buffer.from(reply.subarray(start, end)) });
    at = end + 2;
  }
}

/** Stores one item with `set`, exactly these bytes and flags. */
export async function rawSet(server: string, key: string, item: RawItem): Promise<void> {
  const head = Buffer.from(`set ${key} ${item.flags} 0 ${item.bytes.length}\r\n`, 'latin1');
  const reply = await exchange(server, Buffer.concat([head, item.bytes, Buffer.from('\r\n')]), (buf) =>
    buf.includes('\r\n'),
  );
  if (reply.toString('latin1') !== 'STORED\r\n') throw new Error(`set ${key}: ${reply.toString('latin1')}`);
}

function exchange(
  server: string,
  request: string | Buffer,
  complete: (buf: Buffer) => boolean,
): Promise<Buffer> {
  const colon = server.lastIndexOf(':');
  const socket = connect({ host: server.slice(0, colon), port: Number(server.slice(colon + 1)) });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error(`no reply from ${server} within 5 s`)));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      try {
        if (!complete(all)) return;
      } catch (error) {
        socket.destroy();
        reject(error);
        return;
      }
      socket.end();
      resolve(all);
    });
    socket.write(request);
  });
}
