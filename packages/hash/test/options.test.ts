import * as mcClient from '@mc/client';
import { InvalidArgumentError } from '@mc/client';
import { describe, expect, it } from 'vitest';
import { KetamaHash, RendezvousHash, resolveHashClientOptions } from '../src/index.js';

/** The message of the InvalidArgumentError a call throws. */
function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}
const bad = (o: unknown) => message(() => resolveHashClientOptions(o as never));

it("@mc/client exports its options module (packages/client/src/index.ts: export * from './options/index.js')", () => {
  expect(typeof (mcClient as Record<string, unknown>).resolveClientOptions).toBe('function');
  expect(typeof (mcClient as Record<string, unknown>).optionChecks).toBe('object');
});

describe('resolveHashClientOptions', () => {
  it('applies every default: a fresh RendezvousHash, pymemcache failure timings, pool defaults', () => {
    const r = resolveHashClientOptions();
    expect(r.hasher).toBeInstanceOf(RendezvousHash);
    expect(r).toMatchObject({
      usePooling: false,
      retryAttempts: 2,
      retryTimeout: 1000,
      deadTimeout: 60_000,
      ignoreExc: false,
      pool: { maxPoolSize: 4, poolIdleTimeout: 60_000, acquireTimeout: 0, pipelineThreshold: 128 },
      client: { timeout: 2000, keyPrefix: '', ignoreExc: false },
    });
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.client)).toBe(true);
    expect(Object.isFrozen(r.pool)).toBe(true);
    // Each call gets its own hasher: two HashClients never share a ring.
    expect(resolveHashClientOptions().hasher).not.toBe(r.hasher);
  });

  it("splits the parts; ignoreExc is the HashClient's, never passed to the member clients", () => {
    const hasher = KetamaHash.libmemcached([]);
    const r = resolveHashClientOptions({
      hasher,
      usePooling: true,
      maxPoolSize: 2,
      ignoreExc: true,
      timeout: 50,
      retryAttempts: 0,
    });
    expect(r.hasher).toBe(hasher);
    expect(r.ignoreExc).toBe(true);
    expect(r.client.ignoreExc).toBe(false);
    expect(r.client.timeout).toBe(50);
    expect(r.pool.maxPoolSize).toBe(2);
    expect(r.retryAttempts).toBe(0);
    expect('hasher' in r.client).toBe(false);
  });

  it('undefined means the default', () => {
    const r = resolveHashClientOptions({
      retryAttempts: undefined,
      retryTimeout: undefined,
      deadTimeout: undefined,
      maxPoolSize: undefined,
      timeout: undefined,
    });
    expect(r).toMatchObject({ retryAttempts: 2, retryTimeout: 1000, deadTimeout: 60_000 });
    expect(r.pool.maxPoolSize).toBe(4);
    expect(r.client.timeout).toBe(2000);
  });

  it('refuses bad values of every part, naming HashClient', () => {
    expect(bad({ timeout: '300' })).toBe(
      'HashClient: option "timeout" must be a non-negative finite number of ms, got "300" (string)',
    );
    expect(bad({ timeout: -1 })).toMatch(/got -1 \(number\)/);
    expect(bad({ timeout: Number.NaN })).toMatch(/got NaN/);
    expect(bad({ retryTimeout: 'abc' })).toMatch(/option "retryTimeout" .* got "abc" \(string\)/);
    expect(bad({ retryAttempts: -1 })).toBe(
      'HashClient: option "retryAttempts" must be an integer >= 0, got -1 (number)',
    );
    expect(bad({ deadTimeout: Number.POSITIVE_INFINITY })).toMatch(/option "deadTimeout"/);
    expect(bad({ usePooling: 'yes' })).toMatch(/option "usePooling" must be true or false/);
    expect(bad({ maxPoolSize: 0 })).toMatch(/HashClient: option "maxPoolSize" must be an integer >= 1/);
    expect(bad({ keyPrefix: 'a b' })).toMatch(/HashClient: option "keyPrefix" must be a valid key prefix/);
    expect(bad({ serde: {} })).toMatch(/HashClient: option "serde"/);
    expect(bad({ hasher: {} })).toBe(
      'HashClient: option "hasher" must be a NodeLocator (getNode, addNode, removeNode and nodes), got an object (object)',
    );
    expect(bad({ ignoreExc: 'true' })).toMatch(/option "ignoreExc" must be true or false/);
  });

  it('refuses unknown names with a suggestion from every part', () => {
    expect(bad({ timout: 1 })).toBe('HashClient: unknown option "timout" (did you mean "timeout"?)');
    expect(bad({ retryAttempt: 1 })).toMatch(/did you mean "retryAttempts"\?/);
    expect(bad({ deadtimeout: 1 })).toMatch(/did you mean "deadTimeout"\?/);
    expect(bad({ usepooling: true })).toMatch(/did you mean "usePooling"\?/);
    expect(bad({ maxPoolSise: 1 })).toMatch(/did you mean "maxPoolSize"\?/);
  });
});
