import type { KeyHint, Reply, ValueEntry } from '@mc/protocol';
import { notRequested } from './get-batcher.js';

/**
 * One getMany/getsMany call: its keys, sent as commands of up to 100 keys, and the result Map that
 * their replies fill in the connection's read loop (no promise per command, no await between the
 * reply and the caller). Values are taken as the parser reads them (KeyHint.onValue): the parser
 * already matched each one to the index of its key, so there is no search and no values array. The
 * call resolves once every command is answered, and rejects with the first failure (a server error,
 * a value the serde refuses, a broken connection).
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
    private readonly resolve: (out: Map<string, R>) => void,
    readonly reject: (error: Error) => void,
  ) {}

  /** The reply handler and key hint of the command sending fullKeys[start, end). */
  part(start: number, end: number): { onReply: (reply: Reply) => void; hint: KeyHint } {
    this.remaining++;
    return {
      onReply: this.onReply,
      hint: {
        keys: this.fullKeys,
        end,
        pos: start,
        onValue: (entry, index) => this.onValue(entry, index, start, end),
      },
    };
  }

  /** A failure before or while sending. */
  readonly fail = (error: Error): void => {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  };

  /**
   * One value, as the parser reads it. `index` is the key the parser matched from its cursor on
   * (memcached answers in the order asked); -1 when it found none there: a proxy reordered the
   * replies (search the command's keys; a key asked twice maps to the same entry) or the key is
   * not ASCII. A key nobody asked for throws out of the parser: the connection is discarded and
   * the call fails with that error.
   */
  private onValue(entry: ValueEntry, index: number, start: number, end: number): void {
    let i = index;
    if (i < 0) {
      i = this.fullKeys.indexOf(entry.key, start);
      if (i < 0 || i >= end) throw notRequested(entry.key);
    }
    if (this.settled) return;
    const userKey = this.userKeys[i]!;
    let value: R;
    try {
      value = this.convert(entry, userKey);
    } catch (err) {
      // The serde refused a value: the call fails, the rest of the reply is still read.
      this.fail(err as Error);
      return;
    }
    this.out.set(userKey, value);
  }

  /** The END (or error) of one command's reply. */
  private readonly onReply = (reply: Reply): void => {
    if (this.settled) return;
    if (reply.type === 'error') {
      this.fail(reply.error);
      return;
    }
    if (--this.remaining === 0) {
      this.settled = true;
      this.resolve(this.out);
    }
  };
}
