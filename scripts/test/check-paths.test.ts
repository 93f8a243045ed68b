import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { checkPaths, isMachinePath } from '../check-paths.mjs';

const repo = join(import.meta.dirname, '..', '..');
const script = join(repo, 'scripts', 'check-paths.mjs');
let dirs: string[] = [];

/** A tiny repository in a temp dir with the given files. */
function plant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-paths-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Runs the CLI and returns its exit code and stderr. */
function run(root: string): { code: number; stderr: string } {
  try {
    execFileSync('node', [script, root], { stdio: 'pipe' });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    return { code: e.status, stderr: e.stderr.toString() };
  }
}

afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

// The planted paths are built from pieces so that this file itself stays clean.
const up = (n: number) => Array(n).fill('..').join('/');
const machineRoot = ['', 'home', 'someone', 'vectors'].join('/');

describe('check-paths', () => {
  it('accepts the repository as it is', () => {
    expect(checkPaths(repo)).toEqual([]);
    expect(run(repo).code).toBe(0);
  });

  it("fails on the old vectors test: join(dirname, '..' x4, <dir>) from packages/hash/test", () => {
    const dots = Array(4).fill("'..'").join(', ');
    const dir = plant({
      'packages/hash/test/vectors.test.ts': `const v = join(import.meta.dirname, ${dots}, 'elsewhere', 'vectors');\n`,
    });
    const problems: string[] = checkPaths(dir);
    expect(problems).toEqual([
      "packages/hash/test/vectors.test.ts:1: 4 '..' segments climb above the repository root",
    ]);
    const cli = run(dir);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('packages/hash/test/vectors.test.ts:1');
  });

  it('fails on a relative string that climbs out, and not on one that stays inside', () => {
    const dir = plant({
      'tests/a.test.ts': `readFileSync('${up(2)}/elsewhere/x.json');\nreadFileSync('${up(1)}/packages/p/x.json');\n`,
      'packages/p/x.json': '{}',
    });
    expect(checkPaths(dir)).toEqual([
      `tests/a.test.ts:1: "${up(2)}/elsewhere/x.json" climbs above the repository root`,
    ]);
  });

  it('fails on absolute machine paths in sources, scripts and CI, including unquoted shell words', () => {
    const dir = plant({
      'packages/p/src/index.ts': `export const v = '${machineRoot}/a.json';\n`,
      'scripts/fetch.sh': `#!/bin/sh\ncp ${machineRoot}/a.json .\ncp ${up(1)}/${up(1)}/b .\n`,
      '.ci/run': `cd ${up(1)}/${up(1)}/other && true\n`,
    });
    const problems: string[] = checkPaths(dir);
    expect(problems).toContain(
      `packages/p/src/index.ts:1: absolute path "${machineRoot}/a.json" exists only on this machine`,
    );
    expect(problems).toContain(
      `scripts/fetch.sh:2: absolute path "${machineRoot}/a.json" exists only on this machine`,
    );
    expect(problems).toContain(`scripts/fetch.sh:3: "${up(2)}/b" climbs above the repository root`);
    expect(problems).toContain(`.ci/run:1: "${up(2)}/other" climbs above the repository root`);
    expect(problems).toHaveLength(4);
  });

  it('an absolute path under a home directory or under the top directory of the checkout is this machine', () => {
    const checkoutTop = `/${repo.split('/')[1]}`;
    expect(isMachinePath(`${checkoutTop}/elsewhere/a.json`, repo)).toBe(checkoutTop !== '/tmp');
    expect(isMachinePath(`file://${machineRoot}/a.json`, repo)).toBe(true);
    expect(isMachinePath('/usr/bin/python3', repo)).toBe(false);
    expect(isMachinePath('relative/path', repo)).toBe(false);
  });

  it('ignores comment lines, node_modules, data files, and lines marked to be ignored', () => {
    const dir = plant({
      'packages/p/test/a.test.ts': `// once read from ${up(4)}/elsewhere\nconst x = '${machineRoot}'; // check-paths: ignore\n`,
      'packages/p/node_modules/dep/index.js': `require('${machineRoot}');\n`,
      'packages/p/test/vectors/data.json': `["${machineRoot}"]\n`,
    });
    expect(checkPaths(dir)).toEqual([]);
  });
});
