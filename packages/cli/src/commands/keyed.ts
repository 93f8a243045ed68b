import { isMemcacheError } from '@mc/client';
import type { HashClient } from '@mc/hash';
import { keyedClient, resolveTarget } from '../connect.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { showBytes, showDecoded } from '../format.js';
import { readAll } from '../io.js';
import { toJson } from '../json.js';
import { displaySerde, passThroughSerde, RawValue, type StoredValue } from '../value-serde.js';

/** Runs fn with a HashClient over the target servers and always closes it. */
async function withKeyedClient<T>(ctx: Context, fn: (client: HashClient) => Promise<T>): Promise<T> {
  const target = await resolveTarget(ctx.options, ctx.env);
  const client = keyedClient(target, { serde: passThroughSerde, batchGets: false });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export interface GetOptions {
  raw?: boolean;
  value?: boolean;
}

interface Shown {
  /** Decoded value, when the value was decoded (not bytes). */
  decoded?: unknown;
  /** The stored bytes, when shown undecoded. */
  bytes?: Buffer;
}

function decodeForDisplay(ctx: Context, key: string, stored: StoredValue, raw: boolean): Shown {
  if (raw) return { bytes: stored.bytes };
  try {
    const decoded = displaySerde.deserialize(key, stored.bytes, stored.flags);
    return Buffer.isBuffer(decoded) ? { bytes: decoded } : { decoded };
  } catch (err) {
    if (!isMemcacheError(err)) throw err;
    ctx.err(`mc: ${key}: ${(err as Error).message}; showing the stored bytes\n`);
    return { bytes: stored.bytes };
  }
}

/** `mc get KEY...`: each hit with its flags, decoded by the default serde (or raw). Exit 1 on any miss. */
export async function get(ctx: Context, keys: string[], opts: GetOptions): Promise<void> {
  const hits = await withKeyedClient(ctx, (c) => c.getMany<StoredValue>(keys));
  for (const key of keys) {
    const stored = hits.get(key);
    if (!stored) {
      ctx.exit(EXIT.NEGATIVE);
      if (ctx.json) ctx.out(`${toJson({ key, hit: false })}\n`);
      else ctx.err(`mc: ${key}: not found\n`);
      continue;
    }
    const shown = decodeForDisplay(ctx, key, stored, opts.raw ?? false);
    if (ctx.json) {
      const base = { key, hit: true, flags: stored.flags, size: stored.bytes.length };
      ctx.out(
        `${toJson(shown.bytes ? { ...base, base64: shown.bytes.toString('base64') } : { ...base, value: shown.decoded })}\n`,
      );
    } else if (opts.value) {
      // --raw --value writes the bytes exactly, so `mc get --raw --value k > file` round-trips.
      if (opts.raw && shown.bytes) ctx.out(shown.bytes);
      else ctx.out(`${shown.bytes ? showBytes(shown.bytes) : showDecoded(shown.decoded)}\n`);
    } else {
      const text = shown.bytes ? showBytes(shown.bytes) : showDecoded(shown.decoded);
      ctx.out(`${key}\tflags=${stored.flags}\t${text}\n`);
    }
  }
}

export const VALUE_TYPES = ['string', 'int', 'json', 'bytes'] as const;
export const SET_MODES = ['set', 'add', 'replace', 'append', 'prepend'] as const;

export interface SetOptions {
  ttl: number;
  type: (typeof VALUE_TYPES)[number];
  flags?: number;
  mode: (typeof SET_MODES)[number];
}

function parseValue(text: Buffer, type: SetOptions['type']): unknown {
  switch (type) {
    case 'bytes':
      return new RawValue(text, 0);
    case 'string':
      return text.toString('utf8');
    case 'int': {
      const t = text.toString('utf8').trim();
      if (!/^-?\d+$/.test(t)) throw new UsageError(`--type int: ${JSON.stringify(t)} is not an integer`);
      return BigInt(t);
    }
    case 'json':
      try {
        return JSON.parse(text.toString('utf8'));
      } catch (err) {
        throw new UsageError(`--type json: ${(err as Error).message}`);
      }
  }
}

/** `mc set KEY [VALUE]`: VALUE, or stdin when it is left out. Exit 1 when not stored. */
export async function set(
  ctx: Context,
  key: string,
  valueText: string | undefined,
  opts: SetOptions,
): Promise<void> {
  let bytes: Buffer;
  if (valueText !== undefined) bytes = Buffer.from(valueText, 'utf8');
  else if (ctx.io.stdin && !ctx.io.stdin.isTTY) bytes = await readAll(ctx.io.stdin);
  else throw new UsageError('give a VALUE, or pipe the value on stdin');
  const value = parseValue(bytes, opts.type);
  const store = { expire: opts.ttl, ...(opts.flags !== undefined ? { flags: opts.flags } : {}) };
  const stored = await withKeyedClient(ctx, (c) => c[opts.mode](key, value, store));
  if (!stored) ctx.exit(EXIT.NEGATIVE);
  if (ctx.json) ctx.out(`${toJson({ key, stored })}\n`);
  else ctx.out(stored ? 'STORED\n' : 'NOT_STORED\n');
}

/** `mc delete KEY...`. Exit 1 when any key was not there. */
export async function del(ctx: Context, keys: string[]): Promise<void> {
  const results = await withKeyedClient(ctx, (c) => Promise.all(keys.map((k) => c.delete(k))));
  keys.forEach((key, i) => {
    const deleted = results[i]!;
    if (!deleted) ctx.exit(EXIT.NEGATIVE);
    if (ctx.json) ctx.out(`${toJson({ key, deleted })}\n`);
    else ctx.out(`${key}\t${deleted ? 'DELETED' : 'NOT_FOUND'}\n`);
  });
}

/** `mc touch KEY... --ttl S`. Exit 1 when any key was not there. */
export async function touch(ctx: Context, keys: string[], ttl: number): Promise<void> {
  const results = await withKeyedClient(ctx, (c) => Promise.all(keys.map((k) => c.touch(k, ttl))));
  keys.forEach((key, i) => {
    const touched = results[i]!;
    if (!touched) ctx.exit(EXIT.NEGATIVE);
    if (ctx.json) ctx.out(`${toJson({ key, touched })}\n`);
    else ctx.out(`${key}\t${touched ? 'TOUCHED' : 'NOT_FOUND'}\n`);
  });
}

export function parseDelta(text: string): bigint {
  if (!/^\d+$/.test(text))
    throw new UsageError(`DELTA must be a non-negative integer, got ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** `mc incr|decr KEY [DELTA]`: prints the new value (64-bit, exact). Exit 1 when the key is missing. */
export async function arith(ctx: Context, op: 'incr' | 'decr', key: string, deltaText = '1'): Promise<void> {
  const delta = parseDelta(deltaText);
  const value = await withKeyedClient(ctx, (c) => c[op](key, delta));
  if (value === undefined) ctx.exit(EXIT.NEGATIVE);
  if (ctx.json) ctx.out(`${toJson({ key, found: value !== undefined, value: value ?? null })}\n`);
  else if (value === undefined) ctx.err(`mc: ${key}: not found\n`);
  else ctx.out(`${value}\n`);
}
