import type { KeyHint, Reply, ValueEntry } from '@mc/protocol';
import { notRequested } from './get-batcher.js';

/**
 * One getMany/getsMany call: its keys, sent as commands of up to 100 keys, and the result Map that
 * their replies fill in the connection's read loop (no promise per command, no await between the
 * reply and the caller). The call resolves once every command is answered, and rejects with the
 * first failure (a server error, a value the serde refuses, a broken connection).
 */
export class MultiGet<R> {
  private readonly out = new Map<string, R>();
  private remaining = 0;
  private settled = false;

  constructor(
    /** The keys as sent (prefix included), in order. */
    private readonly fullKeys: readonly string[],
    /** The keys as the caller gave them, at the same indexes. */
    private readonly userKeys: readonly string[],
    private readonly convert: (entry: ValueEntry, key: string) => R,
    /** Discards the connection (a value for a key nobody asked for). */
    private readonly discard: (error: Error) => void,
    private readonly resolve: (out: Map<string, R>) => void,
    readonly reject: (error: Error) => void,
  ) {}

  /** The reply handler and key hint of the command sending fullKeys[start, end). */
  part(start: number, end: number): { onReply: (reply: Reply) => void; hint: KeyHint } {
    this.remaining++;
    return {
      onReply: (reply) => this.onReply(reply, start, end),
      hint: { keys: this.fullKeys, end, pos: start },
    };
  }

  /** A failure before or while sending. */
  readonly fail = (error: Error): void => {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  };

  private onReply(reply: Reply, start: number, end: number): void {
    if (this.settled) return;
    if (reply.type === 'error') {
      this.fail(reply.error);
      return;
    }
    if (reply.type === 'values') {
      const values = reply.values;
      const fullKeys = this.fullKeys;
      let cursor = start;
      try {
        for (let v = 0; v < values.length; v++) {
          const key = values[v]!.key;
          // memcached answers in the order asked: the next match is at or after the last one. A
          // proxy may reorder: then from the start. A key asked twice maps to the same entry.
          let i = fullKeys.indexOf(key, cursor);
          if (i < 0 || i >= end) i = fullKeys.indexOf(key, start);
          if (i < 0 || i >= end) {
            const err = notRequested(key);
            this.discard(err);
            this.fail(err);
            return;
          }
          cursor = i + 1;
          const userKey = this.userKeys[i]!;
          this.out.set(userKey, this.convert(values[v]!, userKey));
        }
      } catch (err) {
        this.fail(err as Error);
        return;
      }
    }
    if (--this.remaining === 0) {
      this.settled = true;
      this.resolve(this.out);
    }
  }
}
