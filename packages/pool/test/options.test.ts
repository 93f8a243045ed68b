import * as mcClient from '@mc/client';
import { InvalidArgumentError } from '@mc/client';
import { describe, expect, it } from 'vitest';
import {
  ObjectPool,
  POOL_DEFAULTS,
  resolveObjectPoolOptions,
  resolvePooledClientOptions,
} from '../src/index.js';

/** The message of the InvalidArgumentError a call throws. */
function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).code).toBe('MC_ERR_INVALID_ARGUMENT');
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}

const create = () => ({});

it("@mc/client exports its options module (packages/client/src/index.ts: export * from './options/index.js')", () => {
  expect(typeof (mcClient as Record<string, unknown>).resolveClientOptions).toBe('function');
  expect(typeof (mcClient as Record<string, unknown>).optionChecks).toBe('object');
});

describe('resolveObjectPoolOptions', () => {
  it('applies the defaults and freezes the result', () => {
    const r = resolveObjectPoolOptions({ create });
    expect(r).toEqual({
      create,
      destroy: undefined,
      validate: undefined,
      maxSize: 10,
      idleTimeout: 0,
      acquireTimeout: 0,
    });
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('maxSize undefined is the default, never a pool that creates nothing', async () => {
    expect(resolveObjectPoolOptions({ create, maxSize: undefined }).maxSize).toBe(10);
    let made = 0;
    const pool = new ObjectPool({ create: () => ({ n: made++ }), maxSize: undefined });
    const objs = await Promise.all(Array.from({ length: 10 }, () => pool.acquire()));
    expect(objs).toHaveLength(10);
    expect(pool.size).toBe(10);
    await pool.close();
  });

  it('refuses invalid values, naming ObjectPool and the option', () => {
    expect(message(() => new ObjectPool({ create, maxSize: 0 }))).toBe(
      'ObjectPool: option "maxSize" must be an integer >= 1, got 0 (number)',
    );
    expect(message(() => new ObjectPool({ create, maxSize: Number.NaN }))).toMatch(/got NaN/);
    expect(message(() => new ObjectPool({ create, maxSize: 2.5 }))).toMatch(/got 2.5/);
    expect(message(() => new ObjectPool({ create, maxSize: '4' as never }))).toMatch(/got "4" \(string\)/);
    expect(message(() => new ObjectPool({ create, idleTimeout: -1 }))).toBe(
      'ObjectPool: option "idleTimeout" must be a non-negative finite number of ms, got -1 (number)',
    );
    expect(message(() => new ObjectPool({ create, acquireTimeout: 'abc' as never }))).toMatch(
      /option "acquireTimeout" .* got "abc" \(string\)/,
    );
    expect(message(() => new ObjectPool({ create, destroy: 'close' as never }))).toMatch(
      /option "destroy" must be a function/,
    );
    expect(message(() => new ObjectPool({} as never))).toBe(
      'ObjectPool: option "create" must be a function (it is required), got undefined (undefined)',
    );
    expect(message(() => new ObjectPool({ create, maxsize: 3 } as never))).toBe(
      'ObjectPool: unknown option "maxsize" (did you mean "maxSize"?)',
    );
    expect(message(() => new ObjectPool(undefined as never))).toMatch(/option "create"/);
  });
});

describe('resolvePooledClientOptions', () => {
  it('splits Client options from the pool ones, with every default', () => {
    const r = resolvePooledClientOptions({ timeout: 300, keyPrefix: 'p:', maxPoolSize: 2 });
    expect(r).toMatchObject({ ...POOL_DEFAULTS, maxPoolSize: 2 });
    expect(r.client).toMatchObject({ timeout: 300, keyPrefix: 'p:', connectTimeout: 2000 });
    expect('maxPoolSize' in r.client).toBe(false);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.client)).toBe(true);
    expect(resolvePooledClientOptions()).toMatchObject({
      maxPoolSize: 4,
      poolIdleTimeout: 60_000,
      acquireTimeout: 0,
      pipelineThreshold: 128,
    });
  });

  it('undefined means the default for the pool options too', () => {
    expect(
      resolvePooledClientOptions({
        maxPoolSize: undefined,
        poolIdleTimeout: undefined,
        acquireTimeout: undefined,
        pipelineThreshold: undefined,
      }),
    ).toEqual(resolvePooledClientOptions());
  });

  it('refuses bad pool options and bad Client options, naming PooledClient', () => {
    const bad = (o: unknown) => message(() => resolvePooledClientOptions(o as never));
    expect(bad({ maxPoolSize: 0 })).toBe(
      'PooledClient: option "maxPoolSize" must be an integer >= 1, got 0 (number)',
    );
    expect(bad({ pipelineThreshold: 0 })).toMatch(
      /option "pipelineThreshold" must be an integer >= 1, got 0/,
    );
    expect(bad({ pipelineThreshold: 1.5 })).toMatch(/got 1.5/);
    expect(bad({ poolIdleTimeout: '1000' })).toMatch(/option "poolIdleTimeout" .* got "1000" \(string\)/);
    expect(bad({ timeout: '300' })).toBe(
      'PooledClient: option "timeout" must be a non-negative finite number of ms, got "300" (string)',
    );
    expect(bad({ keyPrefix: 'a b' })).toMatch(/PooledClient: option "keyPrefix" must be a valid key prefix/);
    expect(bad({ serde: {} })).toMatch(/PooledClient: option "serde"/);
    expect(bad({ timout: 1 })).toBe('PooledClient: unknown option "timout" (did you mean "timeout"?)');
    expect(bad({ maxPoolsize: 1 })).toBe(
      'PooledClient: unknown option "maxPoolsize" (did you mean "maxPoolSize"?)',
    );
  });
});
