// scripts/sync-manifests.mjs and scripts/pack-hooks.mjs on throwaway package directories.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { buildProblems } from '../../scripts/pack-hooks.mjs';
// @ts-expect-error plain JS module without types
import { REPOSITORY, serialize, syncManifest } from '../../scripts/sync-manifests.mjs';

const repo = join(import.meta.dirname, '..', '..');
const syncScript = join(repo, 'scripts/sync-manifests.mjs');
const hooksScript = join(repo, 'scripts/pack-hooks.mjs');
let dirs: string[] = [];

afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tempPackage(manifest: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-manifest-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** Shaped like packages/cli: a bin, peers, extra scripts and fields the script does not own. */
const cliLike = {
  name: '@mc/cli',
  version: '1.2.3',
  description: 'The mc command',
  keywords: ['memcached'],
  type: 'module',
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
  bin: { mc: './dist/bin.js' },
  scripts: { build: 'tsc', test: 'vitest run', 'smoke:bin': 'node dist/bin.js --help' },
  dependencies: { '@mc/client': 'workspace:^', commander: 'catalog:' },
  peerDependencies: { keyv: '^5.6.0' },
  peerDependenciesMeta: { keyv: { optional: true } },
  funding: 'https://example.org/fund',
};

describe('syncManifest', () => {
  it('sets the shared fields and keeps bin, peers, other scripts and unknown fields', () => {
    const out = syncManifest(structuredClone(cliLike), 'packages/cli');
    expect(out.exports['.']).toEqual({
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    });
    expect(out.exports['./package.json']).toBe('./package.json');
    expect([out.main, out.module, out.types]).toEqual([
      './dist/index.cjs',
      './dist/index.js',
      './dist/index.d.cts',
    ]);
    expect(out.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: 'packages/cli' });
    expect(out).toMatchObject({ license: 'MIT', sideEffects: false, publishConfig: { access: 'public' } });
    expect(out.files).toEqual(['dist', 'LICENSE']);
    expect(out.scripts.build).toBe('tsdown --config ../../tsdown.config.mjs');
    expect(out.scripts.prepack).toBe('node ../../scripts/pack-hooks.mjs prepack');
    // Not the script's business: left exactly as they were.
    for (const key of [
      'name',
      'version',
      'description',
      'keywords',
      'bin',
      'dependencies',
      'peerDependencies',
      'peerDependenciesMeta',
      'funding',
    ] as const)
      expect(out[key]).toEqual(cliLike[key]);
    expect(out.scripts.test).toBe('vitest run');
    expect(out.scripts['smoke:bin']).toBe('node dist/bin.js --help');
  });

  it('is idempotent', () => {
    const once = syncManifest(structuredClone(cliLike), 'packages/cli');
    expect(serialize(syncManifest(structuredClone(once), 'packages/cli'))).toBe(serialize(once));
  });

  it('keeps subpath exports, each with both builds and a node10 stub directory in files', () => {
    const out = syncManifest(
      { name: '@mc/testing', version: '0.0.0', exports: { '.': './dist/index.js', './contract': {} } },
      'packages/testing',
    );
    expect(Object.keys(out.exports)).toEqual(['.', './contract', './package.json']);
    expect(out.exports['./contract'].require).toEqual({
      types: './dist/contract/index.d.cts',
      default: './dist/contract/index.cjs',
    });
    expect(out.files).toEqual(['dist', 'LICENSE', 'contract']);
  });
});

describe('sync-manifests.mjs --check', () => {
  it('exits 1 on a stale manifest, 0 once synced, and the second run changes nothing', () => {
    const dir = tempPackage(cliLike);
    const check = spawnSync('node', [syncScript, '--check', dir], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/out of sync/);
    execFileSync('node', [syncScript, dir]);
    const synced = readFileSync(join(dir, 'package.json'), 'utf8');
    expect(spawnSync('node', [syncScript, '--check', dir]).status).toBe(0);
    execFileSync('node', [syncScript, dir]);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(synced);
  });
});

describe('pack hooks', () => {
  const manifest = syncManifest(
    { name: '@mc/demo', version: '0.0.0', exports: { '.': {}, './extra': {} } },
    'packages/demo',
  );

  it('refuse to pack without dist/, naming the command to run', () => {
    const dir = tempPackage(manifest);
    expect(buildProblems(dir, manifest)).toEqual(['@mc/demo: dist/ is missing; run `pnpm build` first']);
    const r = spawnSync('node', [hooksScript, 'prepack'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Refusing to pack:\n {2}@mc\/demo: dist\/ is missing/);
    expect(existsSync(join(dir, 'LICENSE'))).toBe(false);
  });

  it('refuse a half build, then copy LICENSE and write node10 stubs, which postpack removes', () => {
    const dir = tempPackage(manifest);
    mkdirSync(join(dir, 'dist/extra'), { recursive: true });
    writeFileSync(join(dir, 'dist/index.js'), '');
    expect(buildProblems(dir, manifest)).toContain('@mc/demo: dist/index.cjs is missing; run `pnpm build`');
    for (const f of ['index.cjs', 'index.d.ts', 'index.d.cts', 'extra/index.js', 'extra/index.cjs'])
      writeFileSync(join(dir, 'dist', f), '');
    for (const f of ['extra/index.d.ts', 'extra/index.d.cts']) writeFileSync(join(dir, 'dist', f), '');
    expect(buildProblems(dir, manifest)).toEqual([]);

    execFileSync('node', [hooksScript, 'prepack'], { cwd: dir });
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repo, 'LICENSE'), 'utf8'));
    expect(JSON.parse(readFileSync(join(dir, 'extra/package.json'), 'utf8'))).toMatchObject({
      main: '../dist/extra/index.cjs',
      types: '../dist/extra/index.d.cts',
    });

    execFileSync('node', [hooksScript, 'postpack'], { cwd: dir });
    expect(existsSync(join(dir, 'LICENSE'))).toBe(false);
    expect(existsSync(join(dir, 'extra'))).toBe(false);
  });
});
