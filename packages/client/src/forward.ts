import { UnsupportedCommandError } from './binary/errors.js';
import { COMMAND_LIST, type CommandSpec } from './commands.js';
import { InvalidArgumentError, InvalidKeyError } from './errors.js';

/**
 * A composite client: a wrapper or router that states only its policy. Every command of the table
 * reaches `dispatch` with its row and its arguments (at most four; unused ones are undefined).
 */
export interface CommandDispatcher {
  dispatch(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<unknown>;
}

type AnyMethod = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => Promise<unknown>;

/**
 * Calls `spec`'s method on `target` with the arguments as given. The one place where a composite
 * client reaches the client below it.
 */
export function callCommand(
  target: object,
  spec: CommandSpec,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
): Promise<unknown> {
  return ((target as Record<string, AnyMethod>)[spec.name] as AnyMethod).call(target, a, b, c, d);
}

/**
 * Gives a composite client class every command of the table as a prototype method that calls its
 * `dispatch`. A method the class defines itself (a fast path, a rule of its own) is kept: that is
 * the only per-command code a composite client writes. Call it once, after the class declaration.
 */
export function installCommands(target: { prototype: CommandDispatcher }): void {
  const proto = target.prototype as unknown as Record<string, unknown>;
  for (const spec of COMMAND_LIST) {
    if (Object.hasOwn(proto, spec.name)) continue;
    const method =
      spec.name === 'stats'
        ? function (this: CommandDispatcher, ...args: unknown[]) {
            // stats takes its arguments as a list: keep them together so none is dropped.
            return this.dispatch(spec, args, undefined, undefined, undefined);
          }
        : function (this: CommandDispatcher, a: unknown, b: unknown, c: unknown, d: unknown) {
            return this.dispatch(spec, a, b, c, d);
          };
    Object.defineProperty(method, 'name', { value: spec.name });
    Object.defineProperty(proto, spec.name, {
      value: method,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

/** Calls a dispatched `stats` (whose arguments travel as one list in `a`) on the client below. */
export function callStats(target: object, args: unknown): Promise<unknown> {
  return (target as { stats(...a: unknown[]): Promise<unknown> }).stats(...(args as unknown[]));
}

/** Forwards a dispatched call to `target`, unpacking stats' argument list. */
export function forward(
  target: object,
  spec: CommandSpec,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
): Promise<unknown> {
  return spec.name === 'stats' ? callStats(target, a) : callCommand(target, spec, a, b, c, d);
}

/**
 * Errors that ignoreExc never turns into a miss: they say the call itself is wrong (a bad key or
 * argument, a command the protocol does not have), and a miss would hide a bug. pymemcache raises
 * these too, before any I/O.
 */
export function isInputError(err: unknown): boolean {
  return (
    err instanceof InvalidKeyError ||
    err instanceof InvalidArgumentError ||
    err instanceof UnsupportedCommandError
  );
}

/** The AbortSignal a dispatched call carries in its options argument, if any. */
export function signalOf(
  spec: CommandSpec,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
): AbortSignal | undefined {
  const i = spec.optionsAt;
  if (i < 0) return undefined;
  const o = (i === 0 ? a : i === 1 ? b : i === 2 ? c : d) as { signal?: AbortSignal } | undefined;
  return o?.signal;
}
