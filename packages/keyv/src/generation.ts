import { randomBytes } from 'node:crypto';
import type { MemcacheClient } from '@mc/client';
import { generationKey } from './keys.js';

/** A fresh generation token: 8 characters of base64url (48 random bits), safe in a key. */
export function newGeneration(): string {
  return randomBytes(6).toString('base64url');
}

interface Known {
  token: string;
  readAt: number;
}

/**
 * The generation of each namespace, as stored in memcached under `<namespace>:%gen`.
 *
 * clear() writes a new random token there; every data key embeds the token, so the old entries are
 * unreachable at once (memcached drops them when they expire or are evicted). Tokens are random,
 * not a counter: if the generation key is evicted, the next reader creates a new token with `add`
 * and old entries can never come back.
 */
export class Generations {
  private readonly known = new Map<string, Known>();
  private readonly reading = new Map<string, Promise<string>>();

  constructor(
    private readonly client: MemcacheClient,
    private readonly maxAgeMs: number,
    private readonly maxKeyLength: number,
  ) {}

  /** The token read less than maxAgeMs ago, which the caller may use without checking. */
  fresh(namespace: string): string | undefined {
    const k = this.known.get(namespace);
    return k !== undefined && Date.now() - k.readAt < this.maxAgeMs ? k.token : undefined;
  }

  /** The last token seen for the namespace, however old. */
  last(namespace: string): string | undefined {
    return this.known.get(namespace)?.token;
  }

  /**
   * Reads the namespace's token from memcached (creating one if there is none). Concurrent callers
   * share one read, so a burst of calls costs one extra key in one `get`.
   */
  read(namespace: string): Promise<string> {
    let pending = this.reading.get(namespace);
    if (pending === undefined) {
      pending = this.fetch(namespace).finally(() => this.reading.delete(namespace));
      this.reading.set(namespace, pending);
    }
    return pending;
  }

  /** Starts a new generation: every entry of the namespace is gone for every client at once. */
  async bump(namespace: string): Promise<void> {
    const token = newGeneration();
    await this.client.set(generationKey(namespace, this.maxKeyLength), token);
    this.remember(namespace, token);
  }

  private async fetch(namespace: string): Promise<string> {
    const key = generationKey(namespace, this.maxKeyLength);
    let token = asToken(await this.client.get(key));
    if (token === undefined) {
      const created = newGeneration();
      // add, not set: when two processes start a namespace at once, both end up with the winner's token.
      token = (await this.client.add(key, created))
        ? created
        : (asToken(await this.client.get(key)) ?? created);
    }
    this.remember(namespace, token);
    return token;
  }

  private remember(namespace: string, token: string): void {
    this.known.set(namespace, { token, readAt: Date.now() });
  }
}

/** A token as stored: a string, or bytes if another client wrote it without flags. */
function asToken(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}
