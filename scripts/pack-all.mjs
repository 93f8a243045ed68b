// Packs every published package the way `pnpm publish` would (pnpm pack: `workspace:` and `catalog:`
// ranges become real versions; prepack refuses a package without a current build) and, with
// --attw, checks each tarball with @arethetypeswrong/cli under node10, node16 (CJS and ESM) and
// bundler resolution.
//
//   node scripts/pack-all.mjs [--out DIR] [--attw] [packages/<dir> ...]
//
// Without --out the tarballs go to a fresh temporary directory, removed at the end when --attw is
// the only purpose. Needs `pnpm build` first.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Directories of the packages that get published (packages/*, not private). */
export function publishedPackageDirs() {
  const base = join(root, 'packages');
  return readdirSync(base)
    .map((n) => join(base, n))
    .filter((d) => existsSync(join(d, 'package.json')))
    .filter((d) => !JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).private);
}

/** The tarball name npm and pnpm give a package: @mc/serde-lz4@1.2.3 -> mc-serde-lz4-1.2.3.tgz. */
export function tarballName(manifest) {
  return `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`;
}

/**
 * Packs each package directory into outDir. Resolves to { name -> tarball path }; rejects with the
 * prepack message when a package is not built.
 */
export async function packAll(outDir, dirs = publishedPackageDirs()) {
  mkdirSync(outDir, { recursive: true });
  // One recursive pnpm run: it packs several packages at once and starts pnpm only once.
  const filters = dirs.flatMap((d) => ['--filter', `./${relative(root, d)}`]);
  try {
    await run('pnpm', ['-r', ...filters, 'pack', '--pack-destination', outDir], {
      cwd: root,
      maxBuffer: 32 << 20,
    });
  } catch (err) {
    const detail = `${err.stderr ?? ''}\n${err.stdout ?? ''}`.trim();
    // prepack's reason first ("Refusing to pack: ... dist/ is missing; run `pnpm build` first").
    const reason = detail.match(/Refusing to pack:(\n {2}.*)+/)?.[0] ?? 'see the output below';
    throw new Error(`pnpm pack failed: ${reason}\n\n${detail}`);
  }
  const tarballs = {};
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const tarball = join(outDir, tarballName(manifest));
    if (!existsSync(tarball))
      throw new Error(`pnpm pack wrote no ${tarballName(manifest)} for ${manifest.name}`);
    tarballs[manifest.name] = tarball;
  }
  return tarballs;
}

/** Runs attw on one tarball; resolves to { ok, output }. */
export async function attw(tarball) {
  const bin = join(root, 'node_modules/.bin/attw');
  try {
    const { stdout } = await run(bin, [tarball, '--format', 'ascii', '--no-color'], { maxBuffer: 16 << 20 });
    return { ok: true, output: stdout };
  } catch (err) {
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

async function main(argv) {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? resolve(argv[outIndex + 1]) : mkdtempSync(join(tmpdir(), 'mc-pack-'));
  const withAttw = argv.includes('--attw');
  const named = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--out').map((a) => resolve(a));
  try {
    await packAndCheck(out, named, withAttw);
  } finally {
    // A temporary directory served only the attw check.
    if (withAttw && outIndex < 0) rmSync(out, { recursive: true, force: true });
  }
}

async function packAndCheck(out, named, withAttw) {
  const tarballs = await packAll(out, named.length > 0 ? named : undefined);
  const entries = Object.entries(tarballs).sort(([a], [b]) => a.localeCompare(b));
  if (!withAttw) {
    for (const [name, tarball] of entries) console.log(`${name}: ${tarball}`);
    return;
  }
  // Two attw processes at a time (CI has two cores); results are printed in name order.
  const results = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < entries.length; i = next++) results[i] = await attw(entries[i][1]);
  };
  await Promise.all([worker(), worker()]);
  let failed = 0;
  entries.forEach(([name], i) => {
    if (results[i].ok) console.log(`attw ${name}: no problems (node10, node16-cjs, node16-esm, bundler)`);
    else {
      failed++;
      console.error(`attw ${name}: PROBLEMS\n${results[i].output}`);
    }
  });
  if (failed > 0) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
