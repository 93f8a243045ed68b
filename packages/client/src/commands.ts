import { Buffer } from 'node:buffer';
import type { MetaSetCallOptions } from './meta.js';

/**
 * How a command relates to servers, which tells every composite client how to forward it:
 * - `key`: one key (the first argument) decides the server.
 * - `keys`: an iterable of keys (the first argument); split per server, results merged into one Map
 *   (`merge: 'map'`) or ANDed (`merge: 'and'`, deleteMany).
 * - `entries`: setMany's entries (the first argument); split per server, the failed keys concatenated.
 * - `all`: sent to every server; results ANDed (`merge: 'and'`) or nothing (`merge: 'void'`).
 * - `perServer`: sent to every server; a multi-server client returns a Map keyed by server name.
 * - `lease`: getOrLoad, the read-through algorithm run over the client's own meta calls.
 * - `lifecycle`: quit and close, applied to every connection.
 */
export type CommandShape = 'key' | 'keys' | 'entries' | 'all' | 'perServer' | 'lease' | 'lifecycle';

export interface CommandSpec {
  readonly name: CommandName;
  readonly shape: CommandShape;
  /** How the results of several servers combine (keys and all shapes). */
  readonly merge: 'map' | 'and' | 'void' | 'none';
  /**
   * Whether sending the command again after a failure of unknown effect is harmless. A timeout or a
   * closed connection may come after the server applied the first attempt: repeating an incr, an
   * append or a cas would apply it twice (or report a false EXISTS).
   */
  readonly idempotent: boolean | ((args: readonly unknown[]) => boolean);
  /** A read: on Client and PooledClient, ignoreExc turns its failures into misses (pymemcache's rule). */
  readonly read: boolean;
  /** Index of the options argument (for `signal`); -1 when the command takes none. */
  readonly optionsAt: number;
  /** What ignoreExc answers instead of an error: pymemcache's default values. A fresh value per call. */
  readonly miss: (args: readonly unknown[]) => unknown;
  /**
   * How the command takes noreply: 'default' follows the client's defaultNoreply unless the call says
   * otherwise; 'explicit' only when the call asks (cas, incr, decr: pymemcache ignores
   * default_noreply for them, because their answer is the point); 'never' has no noreply form.
   */
  readonly noreply: 'default' | 'explicit' | 'never';
}

const FALSE = () => false;
const UNDEFINED = () => undefined;
const EMPTY_MAP = () => new Map();

function spec(
  name: CommandName,
  shape: CommandShape,
  optionsAt: number,
  miss: (args: readonly unknown[]) => unknown,
  more: Partial<Pick<CommandSpec, 'merge' | 'idempotent' | 'read' | 'noreply'>> = {},
): CommandSpec {
  return Object.freeze({
    name,
    shape,
    optionsAt,
    miss,
    merge: more.merge ?? 'none',
    idempotent: more.idempotent ?? true,
    read: more.read ?? false,
    noreply: more.noreply ?? 'never',
  });
}

/** metaSet is a plain set unless it compares a cas token or appends: then repeating it is unsafe. */
function metaSetIsIdempotent(args: readonly unknown[]): boolean {
  const o = args[2] as MetaSetCallOptions | undefined;
  return o?.compareCas === undefined && o?.mode !== 'append' && o?.mode !== 'prepend';
}

/** Every command of MemcacheClient, once. Adding a command: the Client method, one row here, MockClient. */
export const COMMANDS = {
  // storage
  set: spec('set', 'key', 2, FALSE, { noreply: 'default' }),
  add: spec('add', 'key', 2, FALSE, { noreply: 'default' }),
  replace: spec('replace', 'key', 2, FALSE, { noreply: 'default' }),
  append: spec('append', 'key', 2, FALSE, { idempotent: false, noreply: 'default' }),
  prepend: spec('prepend', 'key', 2, FALSE, { idempotent: false, noreply: 'default' }),
  cas: spec('cas', 'key', 3, FALSE, { idempotent: false, noreply: 'explicit' }),
  // ignoreExc: every key counts as not stored. Composite clients pass the entries as an array.
  setMany: spec('setMany', 'entries', 1, (args) => (args[0] as [string, unknown][]).map(([k]) => k), {
    noreply: 'default',
  }),
  // retrieval
  get: spec('get', 'key', 1, UNDEFINED, { read: true }),
  gets: spec('gets', 'key', 1, UNDEFINED, { read: true }),
  gat: spec('gat', 'key', 2, UNDEFINED, { read: true }),
  gats: spec('gats', 'key', 2, UNDEFINED, { read: true }),
  getMany: spec('getMany', 'keys', 1, EMPTY_MAP, { read: true, merge: 'map' }),
  getsMany: spec('getsMany', 'keys', 1, EMPTY_MAP, { read: true, merge: 'map' }),
  // other keyed commands
  delete: spec('delete', 'key', 1, FALSE, { noreply: 'default' }),
  deleteMany: spec('deleteMany', 'keys', 1, FALSE, { merge: 'and', noreply: 'default' }),
  incr: spec('incr', 'key', 2, UNDEFINED, { idempotent: false, noreply: 'explicit' }),
  decr: spec('decr', 'key', 2, UNDEFINED, { idempotent: false, noreply: 'explicit' }),
  touch: spec('touch', 'key', 2, FALSE, { noreply: 'default' }),
  // meta protocol
  metaGet: spec('metaGet', 'key', 1, UNDEFINED, { read: true }),
  metaGetMany: spec('metaGetMany', 'keys', 1, EMPTY_MAP, { read: true, merge: 'map' }),
  metaSet: spec('metaSet', 'key', 2, () => ({ stored: false, code: 'NS' }), {
    idempotent: metaSetIsIdempotent,
  }),
  metaDelete: spec('metaDelete', 'key', 1, () => ({ deleted: false, code: 'NF' })),
  metaArithmetic: spec('metaArithmetic', 'key', 1, UNDEFINED, { idempotent: false }),
  invalidate: spec('invalidate', 'key', 2, FALSE),
  metaNoop: spec('metaNoop', 'all', 0, UNDEFINED, { merge: 'void' }),
  getOrLoad: spec('getOrLoad', 'lease', 2, UNDEFINED),
  // server-level commands
  flushAll: spec('flushAll', 'all', 1, FALSE, { merge: 'and', noreply: 'default' }),
  verbosity: spec('verbosity', 'all', 1, FALSE, { merge: 'and', noreply: 'default' }),
  cacheMemlimit: spec('cacheMemlimit', 'all', 1, FALSE, { merge: 'and', noreply: 'default' }),
  shutdown: spec('shutdown', 'all', -1, UNDEFINED, { merge: 'void', idempotent: false }),
  stats: spec('stats', 'perServer', -1, () => ({})),
  version: spec('version', 'perServer', 0, () => ''),
  raw: spec('raw', 'perServer', 1, () => Buffer.alloc(0), { idempotent: false }),
  // lifecycle
  quit: spec('quit', 'lifecycle', -1, UNDEFINED),
  close: spec('close', 'lifecycle', -1, UNDEFINED),
} as const satisfies Record<string, CommandSpec>;

export type CommandName =
  | 'set'
  | 'add'
  | 'replace'
  | 'append'
  | 'prepend'
  | 'cas'
  | 'setMany'
  | 'get'
  | 'gets'
  | 'gat'
  | 'gats'
  | 'getMany'
  | 'getsMany'
  | 'delete'
  | 'deleteMany'
  | 'incr'
  | 'decr'
  | 'touch'
  | 'metaGet'
  | 'metaGetMany'
  | 'metaSet'
  | 'metaDelete'
  | 'metaArithmetic'
  | 'invalidate'
  | 'metaNoop'
  | 'getOrLoad'
  | 'flushAll'
  | 'verbosity'
  | 'cacheMemlimit'
  | 'shutdown'
  | 'stats'
  | 'version'
  | 'raw'
  | 'quit'
  | 'close';

/** The rows in table order. */
export const COMMAND_LIST: readonly CommandSpec[] = Object.freeze(Object.values(COMMANDS));

/** Whether a call of `spec` with these arguments may be sent again after a failure of unknown effect. */
export function isIdempotent(spec: CommandSpec, args: readonly unknown[]): boolean {
  return typeof spec.idempotent === 'function' ? spec.idempotent(args) : spec.idempotent;
}
