// Fails on a dependency edge between workspace packages outside the allowed list, on a cycle,
// and on a deep import into another package's src/ or dist/.
// Usage: node scripts/check-edges.mjs [repoRoot]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Allowed edges: consumer -> dependencies it may name. */
export const ALLOWED = {
  protocol: [],
  serde: [],
  client: ['protocol', 'serde'],
  pool: ['client'],
  hash: ['client', 'pool'],
  'aws-discovery': ['hash', 'client'],
  testing: ['client'],
  keyv: ['client', 'pool', 'hash'],
  otel: ['client'],
  cli: ['client', 'pool', 'hash', 'aws-discovery', 'serde', 'protocol'],
};
const isSerdePlugin = (name) => name.startsWith('serde-');

export function checkEdges(root) {
  const problems = [];
  const pkgDir = join(root, 'packages');
  const names = readdirSync(pkgDir).filter((n) => existsSync(join(pkgDir, n, 'package.json')));
  const graph = new Map();
  for (const name of names) {
    const pj = JSON.parse(readFileSync(join(pkgDir, name, 'package.json'), 'utf8'));
    const deps = new Set();
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const dep of Object.keys(pj[field] ?? {})) if (dep.startsWith('@mc/')) deps.add(dep.slice(4));
    }
    // Imports in the source count too, even when package.json forgot them.
    for (const file of walk(join(pkgDir, name, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
        const spec = m[1];
        if (spec.startsWith('@mc/')) {
          const [, target, ...rest] = spec.split('/');
          deps.add(target);
          if (rest.length && (rest[0] === 'src' || rest[0] === 'dist'))
            problems.push(`${rel(root, file)}: deep import '${spec}' into another package's ${rest[0]}/`);
        } else if (spec.startsWith('.')) {
          const norm = join(file, '..', spec);
          const r = relative(pkgDir, norm).split(/[\\/]/);
          if (r[0] !== name && r[0] !== '..' && names.includes(r[0]))
            problems.push(`${rel(root, file)}: relative import '${spec}' reaches into package '${r[0]}'`);
        }
      }
    }
    deps.delete(name);
    graph.set(name, deps);
  }
  for (const [name, deps] of graph) {
    for (const dep of deps) {
      const ok = isSerdePlugin(name) ? dep === 'serde' : (ALLOWED[name] ?? []).includes(dep);
      if (!ok) problems.push(`forbidden edge: @mc/${name} -> @mc/${dep}`);
      if (isSerdePlugin(name) && dep === 'serde') {
        const pj = JSON.parse(readFileSync(join(pkgDir, name, 'package.json'), 'utf8'));
        if (!pj.peerDependencies?.['@mc/serde'])
          problems.push(`@mc/${name} must take @mc/serde as a peer dependency`);
        if (pj.dependencies?.['@mc/serde'])
          problems.push(`@mc/${name} must not take @mc/serde as a regular dependency`);
      }
    }
  }
  // Cycle detection (DFS with colours).
  const colour = new Map();
  const stack = [];
  const visit = (n) => {
    colour.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (!graph.has(d)) continue;
      if (colour.get(d) === 1)
        problems.push(`cycle: ${[...stack.slice(stack.indexOf(d)), d].map((x) => `@mc/${x}`).join(' -> ')}`);
      else if (!colour.get(d)) visit(d);
    }
    stack.pop();
    colour.set(n, 2);
  };
  for (const n of graph.keys()) if (!colour.get(n)) visit(n);
  return problems;
}

function rel(root, f) {
  return relative(root, f);
}

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|mts|js|mjs)$/.test(e)) yield p;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? process.cwd();
  const problems = checkEdges(root);
  if (problems.length) {
    for (const p of problems) console.error(`check-edges: ${p}`);
    process.exit(1);
  }
  console.log('check-edges: ok');
}
