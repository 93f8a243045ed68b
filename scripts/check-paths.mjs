// Fails when a test, script or source file refers to a path outside the repository: a `..` chain
// that climbs above the repository root, or an absolute path into the machine it was written on
// (a home directory, or the top directory the checkout itself lives under). A fresh clone on another
// machine has none of those, so such a reference is a test that passes here and fails elsewhere.
// Usage: node scripts/check-paths.mjs [repoRoot]
// A line that must keep such a path (a test that plants one on purpose) says `check-paths: ignore`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders that are not the project's own files. */
const SKIP_DIRS = new Set([
  'node_modules',
  'dist',
  '.git',
  '.turbo',
  'coverage',
  '.test-results',
  '.bench-out',
]);
/** Code and script files, by extension. */
const CODE_EXT = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.sh', '.bash', '.py']);
/** Configuration files that name paths. */
const CONFIG_FILES =
  /^(package\.json|tsconfig[\w.-]*\.json|turbo\.json|biome\.json|pnpm-workspace\.yaml|vitest\.config\.\w+)$/;
/** Extensionless scripts (CI entry points). */
const SCRIPT_DIRS = ['.ci'];
/** Absolute locations that exist only on the machine a file was written on. */
/** Home directories: an absolute path into one exists only on the machine that wrote it. */
const HOME_ROOTS = ['home', 'Users', 'root'];

/**
 * Whether `s` is an absolute path into this machine: a home directory, or the top directory the
 * checkout lives under (the workspace it was written in; a clone elsewhere lives under another).
 */
export function isMachinePath(s, rootAbs) {
  const path = s.startsWith('file://') ? s.slice(7) : s;
  if (!path.startsWith('/')) return false;
  const top = path.split('/')[1] ?? '';
  const checkoutTop = rootAbs.split(sep)[1] ?? '';
  return HOME_ROOTS.includes(top) || (top !== '' && top === checkoutTop && top !== 'tmp');
}
const IGNORE_MARK = 'check-paths: ignore';
/** Whole-line comments (JS, shell, Python) describe paths; they do not open them. */
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*|#(?!!))/;

function* walk(dir, root) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* walk(join(dir, entry.name), root);
      continue;
    }
    if (!entry.isFile()) continue;
    const file = join(dir, entry.name);
    const top = relative(root, dir).split(sep)[0];
    if (CODE_EXT.has(extname(entry.name)) || CONFIG_FILES.test(entry.name) || SCRIPT_DIRS.includes(top))
      yield file;
  }
}

/** String literals of a line: '...', "..." and `...` (template parts before any ${). */
function literalsOf(line) {
  const out = [];
  for (const m of line.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\$]|\\.|\$(?!\{))*)/g))
    out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** Words of a shell line, for unquoted paths (cp ../elsewhere/x .). */
function shellWordsOf(line) {
  const code = line.replace(/(^|\s)#.*$/, '');
  return code.split(/[\s=;|&()<>]+/).filter(Boolean);
}

/** Whether `path`, relative to `baseDir`, ends up outside `root`. */
function escapes(root, baseDir, path) {
  const target = resolve(baseDir, path);
  const r = relative(root, target);
  return r === '..' || r.startsWith(`..${sep}`);
}

/** Problems of one file, as "file:line: message". */
export function checkFile(root, file) {
  const problems = [];
  const text = readFileSync(file, 'utf8');
  const rel = relative(root, file);
  const base = dirname(file);
  const isShell = ['.sh', '.bash', ''].includes(extname(file));
  const lines = text.split('\n');
  const rootAbs = resolve(root);
  for (const [i, line] of lines.entries()) {
    if (line.includes(IGNORE_MARK) || COMMENT_LINE.test(line)) continue;
    const where = `${rel}:${i + 1}`;
    const candidates = literalsOf(line);
    if (isShell) candidates.push(...shellWordsOf(line).map((w) => w.replace(/^['"]|['"]$/g, '')));
    const seen = new Set();
    for (const s of candidates) {
      if (seen.has(s)) continue;
      seen.add(s);
      if (isMachinePath(s, rootAbs) || (s.startsWith('/') && s.startsWith(rootAbs)))
        problems.push(`${where}: absolute path ${JSON.stringify(s)} exists only on this machine`);
      else if ((s === '..' || s.startsWith('../') || s.startsWith('./')) && escapes(root, base, s))
        problems.push(`${where}: ${JSON.stringify(s)} climbs above the repository root`);
    }
    // join(import.meta.dirname, '..', '..', '..') and the like: a run of '..' arguments.
    for (const m of line.matchAll(/(?:(['"])\.\.\1\s*,\s*)*(['"])\.\.\2/g)) {
      const climbs = (m[0].match(/\.\./g) ?? []).length;
      if (climbs > 1 && escapes(root, base, Array(climbs).fill('..').join('/')))
        problems.push(`${where}: ${climbs} '..' segments climb above the repository root`);
    }
  }
  return problems;
}

/** Every problem in the repository at `root`. */
export function checkPaths(root) {
  const problems = [];
  for (const file of walk(root, root)) problems.push(...checkFile(root, file));
  return problems;
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && resolve(process.argv[1]) === self) {
  const root = resolve(process.argv[2] ?? join(dirname(self), '..'));
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    console.error(`check-paths: ${root} is not a directory`);
    process.exit(2);
  }
  const problems = checkPaths(root);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`check-paths: ${problems.length} reference(s) to paths outside the repository`);
    process.exit(1);
  }
  console.log('check-paths: every path stays inside the repository');
}
