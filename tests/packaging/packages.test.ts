// Packs every published package the way `pnpm publish` does and uses the tarballs from projects
// outside the workspace, installed with npm from the public registry: a CommonJS program, Jest 30
// with no configuration, an ES module program (both builds side by side), TypeScript 5.4 compiling a
// CommonJS consumer, an esbuild bundle of Client alone, and the serde plugin template copied out of
// examples/. Needs `pnpm build` first (CI builds before testing); without dist/ it fails saying so.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { packAll, publishedPackageDirs, root } from '../../scripts/pack-all.mjs';

const exec = promisify(execFile);

/**
 * Budget for `export { Client } from '@mc/client'`, bundled and minified by esbuild (issue #19).
 * It was 42,700 B when the dual build landed (the tsdown build of those sources: 42,557 B, tsc's
 * 42,578 B: the build itself costs nothing). Since then the text Client gained option validation
 * (~5.4 kB), the socket-free pipeline and output slab (~3.8 kB), the command table and forwarding
 * (~2.2 kB) and the tracing channel (~1.2 kB): 57,859 B measured; then storage commands encoded in
 * place and listMechanisms: 59,612 B; then the hot path of issue #17 (merged gets and getMany
 * written in place and matched in request order with a reorder-tolerant fallback, MultiGet, the
 * parser's KeyHint, text values encoded in place, in-place noreply): 63,963 B; then multi-key gets
 * that make little garbage (one reused streamed entry, keys copied into the output buffer): 65,034 B;
 * then slab reads and large values read in place (slab-reader.ts, readTarget/wrote): 66,456 B;
 * then Buffer, process and performance imported from their node: modules instead of read from
 * globalThis (accessors in Node 20: ~8 ns per read of the global Buffer in a hot function, under 3
 * imported) and writes held during a burst of reads: 68,105 B; then a get batch's reusable request
 * record and the short reads around large values (ReplyParser.missing): 69,189 B.
 * The binary protocol (~26 kB) is not in it: Client reaches it through a registry, so it
 * tree-shakes. The budget keeps about 1 kB of slack.
 */
const CLIENT_BUNDLE_BUDGET_BYTES = 70_200;
/** Versions installed into the temporary projects. */
const JEST = 'jest@30';
const ESBUILD = 'esbuild@0.25';
const OLD_TYPESCRIPT = 'typescript@5.4';
const TYPES_NODE = '@types/node@20';
const VITEST = 'vitest@4.1.12';

const server = inject('memcached');
const prefix = `pack-${process.pid}-${Date.now().toString(36)}`;
const fixtures = join(import.meta.dirname, 'fixtures', 'consumer');

let work = '';
let tarballs: Record<string, string> = {};
const consumer = () => join(work, 'consumer');
const template = () => join(work, 'custom-serde');

/** npm settings a user would have in a plain shell; pnpm's own npm_config_* are not among them. */
const KEPT_NPM_CONFIG =
  /^npm_config_(registry|cache|userconfig|(https?_)?proxy|no_proxy|strict_ssl|cafile)$/i;

/**
 * Environment for child processes, as in a fresh shell: this run's vitest variables would confuse a
 * nested test runner, and the npm_* variables pnpm sets for its scripts would leak into npm.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VITEST|TEST$|NODE_OPTIONS$|NODE_ENV$|PNPM_|pnpm_|FORCE_COLOR$)/.test(k)) continue;
    if (/^npm_/i.test(k) && !KEPT_NPM_CONFIG.test(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    NO_COLOR: '1',
    CI: 'true',
    MC_SERVER: server,
    MEMCACHED_SERVERS: server,
    MC_PREFIX: prefix,
  };
}

async function run(cmd: string, args: string[], cwd: string, timeoutMs = 90_000) {
  try {
    return await exec(cmd, args, { cwd, env: childEnv(), timeout: timeoutMs, maxBuffer: 32 << 20 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

const npmInstall = (cwd: string, specs: string[], dev = false) =>
  run(
    'npm',
    ['install', ...(dev ? ['--save-dev'] : []), '--no-audit', '--no-fund', '--prefer-offline', ...specs],
    cwd,
    180_000,
  );

async function setUpConsumer(): Promise<void> {
  mkdirSync(consumer());
  // No "type" field: the project is CommonJS, like most projects Jest and old TypeScript meet.
  writeFileSync(join(consumer(), 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  cpSync(fixtures, consumer(), { recursive: true });
  const mc = ['@mc/protocol', '@mc/serde', '@mc/client'].map((n) => tarballs[n] as string);
  await npmInstall(consumer(), [...mc, JEST, ESBUILD, OLD_TYPESCRIPT, TYPES_NODE]);
}

async function setUpTemplate(): Promise<void> {
  cpSync(join(root, 'examples/custom-serde'), template(), {
    recursive: true,
    filter: (src) => !src.includes('node_modules'),
  });
  // What its README tells a plugin author to do after copying: name real versions instead of the
  // workspace links (here the tarballs stand in for the registry).
  await run('npm', ['pkg', 'delete', 'devDependencies'], template());
  const mc = ['@mc/protocol', '@mc/serde', '@mc/client'].map((n) => tarballs[n] as string);
  await npmInstall(template(), [...mc, VITEST], true);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mc-packaging-'));
  // Rejects with prepack's "dist/ is missing; run `pnpm build` first" when the build is absent.
  const t0 = performance.now();
  tarballs = await packAll(join(work, 'tarballs'));
  const t1 = performance.now();
  const timed = async (name: string, setUp: () => Promise<void>) => {
    await setUp();
    return `${name} ${((performance.now() - t1) / 1000).toFixed(1)} s`;
  };
  const installs = await Promise.all([timed('consumer', setUpConsumer), timed('template', setUpTemplate)]);
  console.log(`packaging: pack ${((t1 - t0) / 1000).toFixed(1)} s, npm install ${installs.join(', ')}`);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Names of the published packages, known before the tarballs exist so each gets its own test. */
const publishedNames: string[] = publishedPackageDirs()
  .map((dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name)
  .sort();

describe('the tarball of', () => {
  it.each(publishedNames)(
    '%s holds LICENSE, README, both builds and real dependency ranges',
    async (name) => {
      const tarball = tarballs[name] as string;
      const { stdout } = await run('tar', ['-tzf', tarball], work);
      const files = stdout.split('\n');
      for (const f of [
        'LICENSE',
        'README.md',
        'dist/index.js',
        'dist/index.cjs',
        'dist/index.d.ts',
        'dist/index.d.cts',
      ])
        expect(files, `${name} lacks ${f}`).toContain(`package/${f}`);
      const manifest = JSON.parse(
        (await run('tar', ['-xzOf', tarball, 'package/package.json'], work)).stdout,
      );
      expect(JSON.stringify(manifest), 'a workspace: or catalog: range is left').not.toMatch(
        /"(workspace|catalog):/,
      );
      expect(manifest.license).toBe('MIT');
      expect(manifest.repository.url).toMatch(/^git\+https:\/\/github\.com\//);
      const readme = (await run('tar', ['-xzOf', tarball, 'package/README.md'], work)).stdout;
      // npm shows the README without the repository around it: only absolute links work there.
      expect(readme, 'README has a relative link').not.toMatch(/\]\((?!https?:|mailto:|#)/);
    },
  );
});

describe('outside the workspace', () => {
  it('require() loads the CommonJS build and talks to memcached', async () => {
    const { stdout } = await run('node', ['require.cjs'], consumer());
    const out = JSON.parse(stdout);
    expect(out.value).toEqual({ from: 'require' });
    expect(out.resolved).toMatch(/dist[\\/]index\.cjs$/);
  });

  it('Jest 30 with its default configuration sets and gets', async () => {
    const { stdout, stderr } = await run(join('node_modules', '.bin', 'jest'), ['--ci'], consumer());
    expect(`${stdout}${stderr}`).toMatch(/Tests:\s+2 passed, 2 total/);
  }, 60_000);

  it('import and require side by side: separate classes, one brand', async () => {
    const { stdout } = await run('node', ['esm.mjs'], consumer());
    expect(JSON.parse(stdout)).toEqual({
      value: 'from import',
      sameClass: false,
      esmInstanceof: true,
      cjsInstanceof: false,
      cjsRecognises: true,
      code: 'MC_ERR_INVALID_KEY',
    });
  });

  it.each([
    ['node10', { module: 'commonjs', moduleResolution: 'node10' }],
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
  ])(
    'TypeScript 5.4 compiles a CommonJS consumer (%s)',
    async (label, options) => {
      const config = {
        // skipLibCheck keeps it quick; a type that failed to resolve would still show up as an
        // error in cjs-consumer.ts (an untyped Client takes no type argument in get<string>()).
        compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: true },
        files: ['cjs-consumer.ts'],
      };
      writeFileSync(join(consumer(), `tsconfig.${label}.json`), JSON.stringify(config));
      const { stdout } = await run(
        join('node_modules', '.bin', 'tsc'),
        ['-p', `tsconfig.${label}.json`, '--listFiles'],
        consumer(),
      );
      // The declarations came from the CommonJS side of the exports map (or `types` under node10).
      expect(stdout).toMatch(/@mc\/client\/dist\/index\.d\.cts/);
      expect(stdout).toMatch(/typescript\/lib\/lib\.es2022\.d\.ts/);
    },
    120_000,
  );

  it(`a bundle of Client alone stays within ${CLIENT_BUNDLE_BUDGET_BYTES} bytes (esbuild, minified)`, async () => {
    const args = ['size-entry.mjs', '--bundle', '--minify', '--platform=node', '--format=esm'];
    await run(join('node_modules', '.bin', 'esbuild'), [...args, '--outfile=size-out.js'], consumer());
    const bytes = statSync(join(consumer(), 'size-out.js')).size;
    console.log(`Client bundle: ${bytes} bytes (budget ${CLIENT_BUNDLE_BUDGET_BYTES})`);
    // The bundle must come from the ESM build: a CommonJS build would not tree-shake.
    expect(readFileSync(join(consumer(), 'size-out.js'), 'utf8')).not.toMatch(/__commonJS/);
    expect(bytes).toBeLessThanOrEqual(CLIENT_BUNDLE_BUDGET_BYTES);
  });
});

describe('the serde plugin template, copied out of examples/', () => {
  it('declares a real peer range and installs without peer problems', async () => {
    const manifest = JSON.parse(readFileSync(join(template(), 'package.json'), 'utf8'));
    expect(manifest.peerDependencies['@mc/serde']).not.toMatch(/workspace:/);
    await run('npm', ['ls', '@mc/serde', '@mc/client'], template());
  });

  it('passes its own conformance test', async () => {
    const { stdout, stderr } = await run('npm', ['test'], template());
    expect(`${stdout}${stderr}`).toMatch(/Tests\s+\d+ passed/);
  }, 60_000);

  it('runs its demo against memcached', async () => {
    const { stdout } = await run('npm', ['run', 'demo'], template());
    expect(stdout).toMatch(/at is a Date: true/);
  });
});
