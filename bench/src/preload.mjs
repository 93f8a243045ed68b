// Fills servers with the bench's keys (scenarios.mjs `preload`), through the raw client: it is
// checked by raw-check.mjs and does not depend on mc's build. Values are flags 0 bytes, which every
// peer reads as a Buffer or string.
import { rawClient } from './raw-client.mjs';
import { expectedValue, preload } from './scenarios.mjs';

/** @param {{ address: string }[]} servers */
export async function preloadServers(servers) {
  for (const s of servers) {
    const [host, port] = s.address.split(':');
    const loader = await rawClient(host, Number(port));
    await Promise.all(preload.map((k) => loader.set(k, Buffer.from(expectedValue(k), 'latin1'))));
    await loader.close();
  }
}
