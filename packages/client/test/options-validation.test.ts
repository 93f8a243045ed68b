import { describe, expect, it } from 'vitest';
import { Client } from '../src/client.js';
import { InvalidArgumentError, isMemcacheError, TimeoutError } from '../src/errors.js';
import {
  CLIENT_OPTION_NAMES,
  optionChecks,
  resolveClientOptions,
  resolveFallbackOptions,
  resolveRetryingOptions,
} from '../src/options/index.js';
import { DEFAULTS } from '../src/options.js';

/** The error a call throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).code).toBe('MC_ERR_INVALID_ARGUMENT');
    return err as InvalidArgumentError;
  }
  throw new Error('expected a throw');
}
const bad = (o: unknown) => thrown(() => resolveClientOptions(o as never)).message;

describe('resolveClientOptions', () => {
  it('applies every default, and freezes the result', () => {
    const r = resolveClientOptions();
    expect(r).toMatchObject({ ...DEFAULTS, tls: false, protocol: 'text', ignoreExc: false });
    expect(r.auth).toBeUndefined();
    expect(r.sasl).toBeUndefined();
    expect(typeof r.serde.serialize).toBe('function');
    expect(r.maxValueLength).toBe(1024 ** 3);
    expect(Object.keys(r).sort()).toEqual([...CLIENT_OPTION_NAMES].sort());
    expect(Object.isFrozen(r)).toBe(true);
    expect(resolveClientOptions({})).toEqual(r);
  });

  it('undefined means the default, for every option', () => {
    const allUndefined = Object.fromEntries(CLIENT_OPTION_NAMES.map((n) => [n, undefined]));
    expect(resolveClientOptions(allUndefined)).toEqual(resolveClientOptions());
  });

  it('keeps valid values and is idempotent', () => {
    const onNoreplyError = () => {};
    const o = {
      timeout: 0,
      connectTimeout: 150.5,
      keyPrefix: 'app:',
      tls: true,
      auth: { username: 'u', password: 'p w' },
      onNoreplyError,
      batchGets: false,
      ignoreExc: true,
    };
    const r = resolveClientOptions(o);
    expect(r).toMatchObject({ ...o, tls: {}, auth: { username: 'u', password: 'p w' } });
    expect(Object.isFrozen(r.auth)).toBe(true);
    expect(resolveClientOptions(r)).toEqual(r);
  });

  it('timeout: a string, -1, NaN, Infinity and "abc" are refused with the option, class and value', () => {
    expect(bad({ timeout: '300' })).toBe(
      'Client: option "timeout" must be a non-negative finite number of ms, got "300" (string)',
    );
    expect(bad({ timeout: -1 })).toBe(
      'Client: option "timeout" must be a non-negative finite number of ms, got -1 (number)',
    );
    expect(bad({ timeout: Number.NaN })).toMatch(/got NaN \(number\)$/);
    expect(bad({ timeout: Number.POSITIVE_INFINITY })).toMatch(/got Infinity \(number\)$/);
    expect(bad({ connectTimeout: 'abc' })).toMatch(/option "connectTimeout" .* got "abc" \(string\)$/);
    expect(bad({ keepAliveInitialDelay: null })).toMatch(/got null \(null\)$/);
    expect(bad({ timeout: 10n })).toMatch(/got 10n \(bigint\)$/);
  });

  it('an unknown option is refused, with a "did you mean" for a typo', () => {
    expect(bad({ timout: 100 })).toBe('Client: unknown option "timout" (did you mean "timeout"?)');
    expect(bad({ keyprefix: 'a' })).toMatch(/did you mean "keyPrefix"\?/);
    expect(bad({ conectTimeout: 1 })).toMatch(/did you mean "connectTimeout"\?/);
    expect(bad({ batchgets: true })).toMatch(/did you mean "batchGets"\?/);
    expect(bad({ somethingElse: 1 })).toBe('Client: unknown option "somethingElse"');
  });

  it('keyPrefix follows the key rules', () => {
    expect(bad({ keyPrefix: 'a b' })).toBe(
      'Client: option "keyPrefix" must be a valid key prefix (whitespace and control characters are not allowed), got "a b" (string)',
    );
    expect(bad({ keyPrefix: 'a\r\n' })).toMatch(/whitespace and control/);
    expect(bad({ keyPrefix: 'é:' })).toMatch(/non-ASCII keys need allowUnicodeKeys/);
    expect(resolveClientOptions({ keyPrefix: 'é:', allowUnicodeKeys: true }).keyPrefix).toBe('é:');
    // It must leave room for a key: 250 bytes of prefix leave none.
    expect(bad({ keyPrefix: 'p'.repeat(250) })).toMatch(/longer than 250 bytes/);
    expect(resolveClientOptions({ keyPrefix: 'p'.repeat(249) }).keyPrefix).toHaveLength(249);
    expect(bad({ keyPrefix: 5 })).toMatch(/option "keyPrefix" must be a string, got 5 \(number\)/);
  });

  it('serde must have serialize and deserialize functions', () => {
    expect(bad({ serde: {} })).toBe(
      'Client: option "serde" must be an object with serialize() and deserialize() functions, got an object (object)',
    );
    expect(bad({ serde: { serialize: () => ({}) } })).toMatch(/option "serde"/);
    expect(bad({ serde: null })).toMatch(/got null \(null\)/);
    const serde = {
      serialize: () => ({ value: Buffer.alloc(0), flags: 0 }),
      deserialize: () => null,
    } as never;
    expect(resolveClientOptions({ serde }).serde).toBe(serde);
  });

  it('tls: a boolean or an object', () => {
    expect(resolveClientOptions({ tls: false }).tls).toBe(false);
    const tls = { rejectUnauthorized: true };
    expect(resolveClientOptions({ tls }).tls).toBe(tls);
    expect(bad({ tls: 'yes' })).toMatch(
      /option "tls" must be true, false or node:tls connect options, got "yes"/,
    );
    expect(bad({ tls: [] })).toMatch(/got an array of 0 \(array\)/);
  });

  it('auth and sasl: credentials as strings; sasl needs the binary protocol, auth the text one', () => {
    expect(bad({ auth: { username: 'u' } })).toMatch(
      /option "auth" must be an object \{ username, password \}/,
    );
    expect(bad({ auth: 'u:p' })).toMatch(/option "auth"/);
    expect(bad({ auth: { username: 'a b', password: 'p' } })).toMatch(/without whitespace/);
    const sasl = { username: 'u', password: 'p' };
    expect(resolveClientOptions({ protocol: 'binary', sasl }).sasl).toEqual({ ...sasl, mechanism: 'PLAIN' });
    expect(bad({ sasl })).toMatch(/option "sasl" needs protocol: 'binary'/);
    expect(bad({ protocol: 'binary', sasl: { ...sasl, mechanism: 'SCRAM' } })).toMatch(
      /option "sasl.mechanism" must be one of 'PLAIN', got "SCRAM"/,
    );
    expect(bad({ protocol: 'binary', sasl: { ...sasl, mechansim: 'PLAIN' } })).toMatch(
      /did you mean "mechanism"/,
    );
    expect(bad({ protocol: 'binary', auth: sasl })).toMatch(/with protocol: 'binary' use "sasl"/);
  });

  it('protocol, booleans, functions and integers are checked', () => {
    expect(bad({ protocol: 'meta' })).toBe(
      'Client: option "protocol" must be one of \'text\', \'binary\', got "meta" (string)',
    );
    expect(bad({ noDelay: 'true' })).toMatch(/option "noDelay" must be true or false, got "true" \(string\)/);
    expect(bad({ ignoreExc: 1 })).toMatch(/option "ignoreExc" must be true or false/);
    expect(bad({ onNoreplyError: 'log' })).toMatch(/option "onNoreplyError" must be a function/);
    expect(bad({ maxValueLength: 1.5 })).toMatch(/option "maxValueLength" must be an integer >= 0, got 1.5/);
    expect(resolveClientOptions().noreplyFence).toBe('get');
    expect(resolveClientOptions({ noreplyFence: 'mn' }).noreplyFence).toBe('mn');
    expect(bad({ noreplyFence: 'noop' })).toMatch(
      /option "noreplyFence" must be one of 'get', 'mn', got "noop"/,
    );
  });

  it('the options argument must be an object', () => {
    expect(bad('127.0.0.1')).toBe('Client: options must be an object, got "127.0.0.1" (string)');
    expect(bad(null)).toMatch(/got null \(null\)/);
  });

  it('another class can embed it: its name in messages, its own names accepted', () => {
    const r = resolveClientOptions({ timeout: 5, maxPoolSize: 3 } as never, {
      owner: 'PooledClient',
      extraNames: ['maxPoolSize'],
    });
    expect(r.timeout).toBe(5);
    expect('maxPoolSize' in r).toBe(false);
    expect(
      thrown(() =>
        resolveClientOptions({ maxPoolSise: 3 } as never, {
          owner: 'PooledClient',
          extraNames: ['maxPoolSize'],
        }),
      ).message,
    ).toBe('PooledClient: unknown option "maxPoolSise" (did you mean "maxPoolSize"?)');
  });

  it('errors are typed mc errors', () => {
    const err = thrown(() => resolveClientOptions({ timeout: -1 }));
    expect(isMemcacheError(err)).toBe(true);
    expect(err.retryable).toBe(false);
  });
});

describe('new Client validates with resolveClientOptions', () => {
  it("throws the resolver's error before anything else happens", () => {
    expect(thrown(() => new Client('127.0.0.1:1', { timeout: '300' as never })).message).toBe(
      'Client: option "timeout" must be a non-negative finite number of ms, got "300" (string)',
    );
    expect(thrown(() => new Client('127.0.0.1:1', { timout: 5 } as never)).message).toBe(
      'Client: unknown option "timout" (did you mean "timeout"?)',
    );
    expect(thrown(() => new Client('127.0.0.1:1', { keyPrefix: 'a b' })).message).toMatch(
      /option "keyPrefix"/,
    );
    expect(thrown(() => new Client('127.0.0.1:1', { serde: {} as never })).message).toMatch(/option "serde"/);
  });
});

describe('resolveRetryingOptions', () => {
  const badR = (o: unknown) => thrown(() => resolveRetryingOptions(o as never)).message;

  it('applies the defaults', () => {
    expect(resolveRetryingOptions()).toEqual({
      attempts: 2,
      retryDelay: 0,
      retryFor: undefined,
      doNotRetryFor: [],
      retryUnsafe: false,
    });
    expect(Object.isFrozen(resolveRetryingOptions().doNotRetryFor)).toBe(true);
    expect(resolveRetryingOptions({ attempts: undefined }).attempts).toBe(2);
  });

  it('checks each option', () => {
    expect(badR({ attempts: 0 })).toBe(
      'RetryingClient: option "attempts" must be an integer >= 1, got 0 (number)',
    );
    expect(badR({ attempts: 1.5 })).toMatch(/got 1.5/);
    expect(badR({ attempts: '3' })).toMatch(/got "3" \(string\)/);
    expect(badR({ retryDelay: -5 })).toMatch(
      /option "retryDelay" must be a non-negative finite number of ms/,
    );
    expect(badR({ retryFor: TimeoutError })).toMatch(/option "retryFor" must be an array/);
    expect(badR({ retryFor: ['MC_ERR_TIMEOUT', 5] })).toMatch(/got 5 \(number\) at index 1/);
    expect(badR({ retryUnsafe: 'no' })).toMatch(/option "retryUnsafe" must be true or false/);
    expect(badR({ atempts: 3 })).toBe('RetryingClient: unknown option "atempts" (did you mean "attempts"?)');
  });

  it('refuses a matcher in both lists', () => {
    expect(badR({ retryFor: [TimeoutError, 'MC_ERR_CONNECT'], doNotRetryFor: [TimeoutError] })).toBe(
      'RetryingClient: TimeoutError is in both "retryFor" and "doNotRetryFor"',
    );
  });

  it('copies the lists, so a later change by the caller does not change the policy', () => {
    const retryFor = ['MC_ERR_TIMEOUT'];
    const r = resolveRetryingOptions({ retryFor });
    retryFor.push('MC_ERR_CONNECT');
    expect(r.retryFor).toEqual(['MC_ERR_TIMEOUT']);
  });
});

describe('resolveFallbackOptions', () => {
  const fake = () => ({ get: async () => undefined, set: async () => true }) as never;

  it('returns a frozen copy of the list', () => {
    const a = fake();
    const b = fake();
    const list = [a, b];
    const r = resolveFallbackOptions(list);
    list.pop();
    expect(r.clients).toEqual([a, b]);
    expect(Object.isFrozen(r.clients)).toBe(true);
  });

  it('refuses an empty list, a non-array, a non-client and the same client twice', () => {
    const badF = (c: unknown) => thrown(() => resolveFallbackOptions(c as never)).message;
    expect(badF([])).toMatch(/FallbackClient: needs a non-empty array of clients, got an array of 0/);
    expect(badF(undefined)).toMatch(/got undefined \(undefined\)/);
    expect(badF([fake(), {}])).toMatch(/FallbackClient: client 1 must be a MemcacheClient/);
    const a = fake();
    expect(badF([a, a])).toBe('FallbackClient: client 1 is the same object as client 0');
  });
});

describe('optionChecks', () => {
  it('suggests only close names', () => {
    expect(optionChecks.suggestName('timout', ['timeout', 'keyPrefix'])).toBe('timeout');
    expect(optionChecks.suggestName('TIMEOUT', ['timeout'])).toBe('timeout');
    expect(optionChecks.suggestName('x', ['timeout'])).toBeUndefined();
    expect(optionChecks.suggestName('maxsize', ['maxSize', 'idleTimeout'])).toBe('maxSize');
    expect(optionChecks.editDistance('ab', 'ba')).toBe(1);
  });

  it('integer ranges are stated in the message', () => {
    expect(() => optionChecks.checkInteger('X', 'n', 70_000, 1, 1, 65_535)).toThrow(
      'X: option "n" must be an integer from 1 to 65535, got 70000 (number)',
    );
    expect(optionChecks.checkInteger('X', 'n', undefined, 7, 1)).toBe(7);
    expect(() => optionChecks.checkInteger('X', 'n', 2 ** 53, 1, 1)).toThrow(/must be an integer >= 1/);
  });
});
