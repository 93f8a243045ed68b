import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { BENCH_OPS, bench } from './commands/bench.js';
import { arith, del, get, SET_MODES, set, touch, VALUE_TYPES } from './commands/keyed.js';
import { keys } from './commands/keys.js';
import { ping } from './commands/ping.js';
import { stats } from './commands/stats.js';
import type { Context } from './context.js';
import { EXIT, type ExitCode, exitCodeFor, isAuthFailure } from './exit-codes.js';
import { addGlobalOptions, decimal, type GlobalOptions, integer } from './global-options.js';
import type { CliIo } from './io.js';

const VERSION = (() => {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '0.0.0';
  }
})();

const EXIT_HELP = `
Servers come from --servers, else $MEMCACHED_SERVERS, else 127.0.0.1:11211 (or --discover).

Exit codes:
  0  ok
  1  the servers answered no: a miss, NOT_STORED, NOT_FOUND, or some bench requests failed
  2  bad command line (unknown command or option, bad number, invalid key)
  3  a server or the discovery endpoint is unreachable or timed out
  4  authentication failed
  5  another error (SERVER_ERROR, CLIENT_ERROR, ERROR, protocol or serde error)
`;

function describeError(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const message = e?.message ?? String(err);
  const code = e?.code && !e.code.startsWith('commander.') ? ` [${e.code}]` : '';
  const hint = isAuthFailure(err)
    ? ' (check --username/--password or MEMCACHED_USERNAME/MEMCACHED_PASSWORD)'
    : '';
  return `mc: ${message}${code}${hint}\n`;
}

/**
 * Runs the `mc` command line (argv without `node` and the script) and resolves with the exit code.
 * It never calls process.exit and writes only to `io`, so tests run it in-process; bin.ts is the
 * thin wrapper that passes the process's streams and sets process.exitCode.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const signal = io.signal ?? new AbortController().signal;
  const program = new Command('mc');
  program
    .description("memcached from the command line: stats, keys, get/set, ping and bench, on mc's clients")
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showSuggestionAfterError()
    .addHelpText('after', EXIT_HELP);
  addGlobalOptions(program);

  const context = (cmd: Command): Context => {
    const options = cmd.optsWithGlobals<GlobalOptions>();
    return {
      io,
      options,
      env: io.env ?? {},
      json: options.json === true,
      signal,
      out: (t) => void io.stdout.write(t),
      err: (t) => void io.stderr.write(t),
      exit: (c) => {
        if (c > code) code = c;
      },
    };
  };

  program
    .command('stats')
    .description('per server: hit ratio, gets/sets per second, evictions, memory, items, connections')
    .argument('[group]', 'a stats group (items, slabs, settings, conns, sizes): all its lines, per server')
    .option('-a, --all', 'every STAT line, per server, instead of the summary')
    .option('-w, --watch', 'refresh until Ctrl-C (in place on a terminal)')
    .option('-i, --interval <seconds>', 'seconds between refreshes', decimal(0.01), 2)
    .option('-n, --count <n>', 'stop after n refreshes', integer(1))
    .action((group: string | undefined, o, cmd: Command) => stats(context(cmd), { ...o, group }));

  program
    .command('get')
    .description('print values with their flags, decoded by the default serde')
    .argument('<keys...>')
    .option('--raw', 'do not decode: show the stored bytes')
    .option('--value', 'print only the value (with --raw: the exact bytes, nothing added)')
    .action((k: string[], o, cmd: Command) => get(context(cmd), k, o));

  program
    .command('set')
    .description('store a value (VALUE, or stdin when it is left out)')
    .argument('<key>')
    .argument('[value]')
    .option('-t, --ttl <seconds>', 'expiry in seconds (0: never)', integer(0), 0)
    .addOption(new Option('--type <type>', 'how to store VALUE').choices(VALUE_TYPES).default('string'))
    .option('--flags <n>', "client flag bits to OR into the serde's flags", integer(0, 0xffffffff))
    .addOption(new Option('--mode <mode>', 'storage command').choices(SET_MODES).default('set'))
    .action((k: string, v: string | undefined, o, cmd: Command) => set(context(cmd), k, v, o));

  program
    .command('delete')
    .alias('del')
    .description('delete keys')
    .argument('<keys...>')
    .action((k: string[], _o, cmd: Command) => del(context(cmd), k));

  program
    .command('touch')
    .description('set a new expiry on keys')
    .argument('<keys...>')
    .requiredOption('-t, --ttl <seconds>', 'new expiry in seconds (0: never)', integer(0))
    .action((k: string[], o: { ttl: number }, cmd: Command) => touch(context(cmd), k, o.ttl));

  for (const op of ['incr', 'decr'] as const)
    program
      .command(op)
      .description(`${op === 'incr' ? 'increment' : 'decrement'} a counter; prints the new value`)
      .argument('<key>')
      .argument('[delta]', 'a non-negative integer, up to 2^64-1', '1')
      .action((k: string, d: string, _o, cmd: Command) => arith(context(cmd), op, k, d));

  program
    .command('keys')
    .description('stream keys with lru_crawler metadump')
    .option('-m, --match <glob>', 'only keys matching the glob (* ? [abc])')
    .option('-l, --long', 'also print size, expiry (unix time, -1 never) and server, tab-separated')
    .option('--limit <n>', 'stop after n keys', integer(1))
    .action((o, cmd: Command) => keys(context(cmd), o));

  program
    .command('ping')
    .description('connect time and round-trip latency per server')
    .option('-c, --count <n>', 'round trips per server after connecting', integer(1, 100_000), 3)
    .action((o, cmd: Command) => ping(context(cmd), o));

  program
    .command('bench')
    .description('a bounded load test with a latency histogram')
    .addOption(new Option('--op <op>', 'gets, sets, or a mix').choices(BENCH_OPS).default('mix'))
    .option('--get-ratio <r>', 'share of gets in --op mix', decimal(0, 1), 0.9)
    .option('-c, --concurrency <n>', 'requests in flight', integer(1, 10_000), 16)
    .option('--value-size <bytes>', 'size of the values written', integer(0, 16 * 1024 * 1024), 100)
    .option('--keys <n>', 'size of the key space', integer(1, 10_000_000), 1000)
    .option('-n, --requests <n>', `stop after n requests (default ${10_000} when no --duration)`, integer(1))
    .option('-d, --duration <seconds>', 'stop after this many seconds', decimal(0, 86_400, true))
    .option('-t, --ttl <seconds>', 'expiry of the keys the bench writes', integer(0), 300)
    .option('--bench-prefix <prefix>', 'prefix of the keys the bench writes', 'mc-bench:')
    .action((o, cmd: Command) => bench(context(cmd), o));

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (help and --version exit 0).
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    io.stderr.write(describeError(err));
    return exitCodeFor(err);
  }
  return code;
}
