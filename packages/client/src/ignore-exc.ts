import { COMMAND_LIST, type CommandSpec } from './commands.js';
import { isInputError } from './forward.js';

/**
 * ignoreExc's one rule, for every client that has it: a failure becomes the command's miss value
 * (pymemcache's defaults, from the command table); an input error (a bad key or argument, a command
 * the protocol lacks) still rejects, because a miss would hide a bug in the call.
 */
export function missOnFailure(
  call: Promise<unknown>,
  spec: CommandSpec,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
): Promise<unknown> {
  return call.catch((err: unknown) => {
    if (isInputError(err)) throw err;
    return spec.miss([a, b, c, d]);
  });
}

type Method = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => Promise<unknown>;

/**
 * ignoreExc as pymemcache's Client has it: the reads of the command table answer a miss instead of
 * failing. Installed on the instance, so a client without ignoreExc pays nothing for it.
 */
export function ignoreReadFailures(client: object): void {
  const self = client as Record<string, Method>;
  for (const spec of COMMAND_LIST) {
    if (!spec.read) continue;
    const method = self[spec.name]!;
    self[spec.name] = function (this: unknown, a, b, c, d) {
      return missOnFailure(method.call(this, a, b, c, d), spec, a, b, c, d);
    };
  }
}

/** The listeners of `onConnectionError`, for every client that reports connection failures. */
export class FailureListeners {
  private readonly list: Array<(error: Error) => void> = [];

  get size(): number {
    return this.list.length;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (error: Error) => void): () => void {
    this.list.push(listener);
    return () => {
      const i = this.list.indexOf(listener);
      if (i >= 0) this.list.splice(i, 1);
    };
  }

  emit(error: Error): void {
    for (const l of this.list) l(error);
  }
}
