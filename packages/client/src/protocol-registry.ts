import type { MemcacheClient } from './memcache-client.js';
import type { ServerSpec } from './server-address.js';

/** Makes the client of another wire protocol (the binary one) for a Client that forwards to it. */
export type ProtocolClientFactory = (
  server: ServerSpec,
  options: object,
) => MemcacheClient & { readonly pendingCount: number; onConnectionError(l: (e: Error) => void): () => void };

let binaryFactory: ProtocolClientFactory | undefined;

/**
 * Why a registry: a bundle of `Client` alone must not carry the binary protocol (a third of the
 * client's code), so Client does not import it. The binary module registers itself when it is
 * loaded: always in Node (the package entry loads it), and in a bundle when BinaryClient or
 * enableBinaryProtocol is imported.
 */
export function registerBinaryProtocol(factory: ProtocolClientFactory): void {
  binaryFactory = factory;
}

export function binaryProtocolFactory(): ProtocolClientFactory | undefined {
  return binaryFactory;
}
