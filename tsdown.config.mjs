// One build for every package: `tsdown --config ../../tsdown.config.mjs` from the package directory
// (the package's `build` script, written by scripts/sync-manifests.mjs). It emits, per entry,
// dist/<entry>.js (ESM), dist/<entry>.cjs (CommonJS), dist/<entry>.d.ts and dist/<entry>.d.cts.
// Entries come from the package's own manifest, so the exports map and the build cannot disagree:
//   exports '.'      -> src/index.ts        -> dist/index.*
//   exports './sub'  -> src/sub/index.ts    -> dist/sub/index.*
//   bin './dist/x.js' -> src/x.ts           -> dist/x.js (ESM only)
// See docs/build.md for why tsdown 0.21.x and for the dual-package hazard.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsdown';

const cwd = process.cwd();
const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));

/** exports subpath ('.', './contract') -> entry name ('index', 'contract/index'). */
export function entryName(subpath) {
  return subpath === '.' ? 'index' : `${subpath.slice(2)}/index`;
}

function libraryEntries() {
  const entries = {};
  for (const subpath of Object.keys(pkg.exports ?? { '.': null })) {
    if (subpath === './package.json') continue;
    const name = entryName(subpath);
    entries[name] = `src/${name}.ts`;
  }
  return entries;
}

function binEntries() {
  const bins = typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
  const entries = {};
  for (const target of Object.values(bins)) {
    const name = target.replace(/^\.\/dist\//, '').replace(/\.js$/, '');
    // Skeleton packages may name a bin before its source exists; the build then skips it.
    if (existsSync(join(cwd, `src/${name}.ts`))) entries[name] = `src/${name}.ts`;
  }
  return entries;
}

const shared = {
  cwd,
  platform: 'node',
  target: 'node20.19',
  tsconfig: 'tsconfig.build.json',
  outDir: 'dist',
  // Keep `.js` for ESM (the packages are "type": "module") and `.cjs` / `.d.cts` for CommonJS.
  fixedExtension: false,
  // A library never inlines another package: every bare import stays an import.
  deps: { neverBundle: [/^[^./]/] },
  // Minifying is the application's bundler's job; readable dist/ keeps stack traces useful.
  minify: false,
  // One output file per source file, as tsc wrote them: consumers' bundlers tree-shake per module,
  // and declaration files keep the source layout (bundled .d.ts of two entries named index.ts clash).
  unbundle: true,
  sourcemap: false,
  report: false,
  hash: false,
  checks: { legacyCjs: false, pluginTimings: false },
};

const library = libraryEntries();
const bins = binEntries();

// One build, so the ESM files a bin imports are the very files the library exports. A bin is ESM
// only: it is never require()d and may use top-level await, which CommonJS cannot hold.
export default defineConfig({
  ...shared,
  entry: { ...library, ...bins },
  format: { esm: {}, cjs: { entry: library } },
  dts: true,
  clean: true,
});
