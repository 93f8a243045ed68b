// Sets the fields every published package shares (exports map of the dual ESM/CommonJS build,
// main/module/types, files, build and pack scripts, repository, license, engines, publishConfig,
// sideEffects) and leaves everything else (name, description, dependencies, peerDependencies, bin,
// other scripts, unknown fields) as it is. Running it twice changes nothing.
//
//   node scripts/sync-manifests.mjs                  rewrite every packages/*/package.json
//   node scripts/sync-manifests.mjs packages/cli     only the packages named
//   node scripts/sync-manifests.mjs --check [dirs]   change nothing; exit 1 if a manifest is out of sync
//
// Subpath entries are kept: the keys of the current `exports` map (other than ./package.json) say
// which entries exist ('.' -> src/index.ts, './x' -> src/x/index.ts); tsdown.config.mjs reads the
// same keys, so the build and the map cannot disagree.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY = 'https://github.com/mc-memcached/mc';
export const NODE_RANGE = '>=20.19';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Keys written first, in this order; any other key follows in its original order. */
const KEY_ORDER = [
  'name',
  'version',
  'description',
  'keywords',
  'license',
  'author',
  'type',
  'sideEffects',
  'exports',
  'main',
  'module',
  'types',
  'bin',
  'files',
  'engines',
  'repository',
  'homepage',
  'bugs',
  'scripts',
  'dependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'optionalDependencies',
  'devDependencies',
  'publishConfig',
];

/** exports subpath ('.', './contract') -> file stem under dist/ ('index', 'contract/index'). */
export function entryStem(subpath) {
  return subpath === '.' ? 'index' : `${subpath.slice(2)}/index`;
}

/** The subpaths a manifest exports, '.' first; defaults to '.' alone. */
export function subpathsOf(manifest) {
  const keys = Object.keys(manifest.exports ?? {}).filter((k) => k.startsWith('.') && k !== './package.json');
  return ['.', ...keys.filter((k) => k !== '.')];
}

function conditions(stem) {
  return {
    import: { types: `./dist/${stem}.d.ts`, default: `./dist/${stem}.js` },
    require: { types: `./dist/${stem}.d.cts`, default: `./dist/${stem}.cjs` },
  };
}

/** The manifest with every shared field set; `dir` is the package directory relative to the root. */
export function syncManifest(manifest, dir) {
  const subpaths = subpathsOf(manifest);
  const exportsMap = {};
  for (const subpath of subpaths) exportsMap[subpath] = conditions(entryStem(subpath));
  exportsMap['./package.json'] = './package.json';

  const repoDir = dir.split('\\').join('/');
  const shared = {
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    exports: exportsMap,
    // node10 resolution (TypeScript "moduleResolution": "node", old bundlers) reads these.
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.cts',
    // Subpaths other than '.' get a stub directory (<sub>/package.json) at pack time for node10.
    files: ['dist', 'LICENSE', ...subpaths.filter((s) => s !== '.').map((s) => s.slice(2))],
    engines: { ...(manifest.engines ?? {}), node: NODE_RANGE },
    repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: repoDir },
    homepage: `${REPOSITORY}/tree/main/${repoDir}#readme`,
    bugs: { url: `${REPOSITORY}/issues` },
    scripts: {
      ...(manifest.scripts ?? {}),
      build: 'tsdown --config ../../tsdown.config.mjs',
      prepack: 'node ../../scripts/pack-hooks.mjs prepack',
      postpack: 'node ../../scripts/pack-hooks.mjs postpack',
    },
    publishConfig: { ...(manifest.publishConfig ?? {}), access: 'public' },
  };
  const merged = { ...manifest, ...shared };
  if (manifest.private) delete merged.publishConfig;

  const ordered = {};
  for (const key of KEY_ORDER) if (key in merged) ordered[key] = merged[key];
  for (const key of Object.keys(merged)) if (!(key in ordered)) ordered[key] = merged[key];
  return ordered;
}

export function serialize(manifest) {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function packageDirs(args) {
  if (args.length > 0) return args.map((a) => resolve(a));
  const base = join(root, 'packages');
  return readdirSync(base)
    .map((n) => join(base, n))
    .filter((d) => existsSync(join(d, 'package.json')));
}

function main(argv) {
  const check = argv.includes('--check');
  const dirs = packageDirs(argv.filter((a) => a !== '--check'));
  const stale = [];
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    const text = readFileSync(file, 'utf8');
    const want = serialize(syncManifest(JSON.parse(text), relative(root, dir)));
    if (text === want) continue;
    stale.push(relative(root, file));
    if (!check) writeFileSync(file, want);
  }
  if (check && stale.length > 0) {
    console.error(`Manifests out of sync (run: node scripts/sync-manifests.mjs):\n  ${stale.join('\n  ')}`);
    process.exit(1);
  }
  const verb = check ? 'in sync' : stale.length > 0 ? `updated ${stale.length}` : 'already in sync';
  console.log(`${basename(process.argv[1])}: ${dirs.length} manifests, ${verb}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2));
