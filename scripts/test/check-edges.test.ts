import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { checkEdges } from '../check-edges.mjs';

const repo = join(import.meta.dirname, '..', '..');
let dirs: string[] = [];

function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-edges-'));
  cpSync(join(repo, 'packages'), join(dir, 'packages'), {
    recursive: true,
    filter: (src) => !src.includes('node_modules') && !src.includes('/dist'),
  });
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('check-edges', () => {
  it('accepts the repository as it is', () => {
    expect(checkEdges(repo)).toEqual([]);
  });

  it('fails on a forbidden import (protocol importing client)', () => {
    const dir = copyRepo();
    const f = join(dir, 'packages/protocol/src/index.ts');
    writeFileSync(
      f,
      `${readFileSync(f, 'utf8')}\nimport { Client } from '@mc/client';\nexport { Client };\n`,
    );
    const problems: string[] = checkEdges(dir);
    expect(problems).toContain('forbidden edge: @mc/protocol -> @mc/client');
    expect(problems.some((p) => p.startsWith('cycle:'))).toBe(true);
    // The CLI exits non-zero, which is what fails CI.
    expect(() =>
      execFileSync('node', [join(repo, 'scripts/check-edges.mjs'), dir], { stdio: 'pipe' }),
    ).toThrow();
  });

  it('fails on a deep import into another package', () => {
    const dir = copyRepo();
    const f = join(dir, 'packages/pool/src/index.ts');
    writeFileSync(f, `${readFileSync(f, 'utf8')}\nexport * from '@mc/client/src/index.js';\n`);
    expect(checkEdges(dir).join('\n')).toMatch(/deep import '@mc\/client\/src\/index\.js'/);
  });

  it('fails on a forbidden package.json dependency and on a serde plugin without a peer', () => {
    const dir = copyRepo();
    const pj = join(dir, 'packages/serde-lz4/package.json');
    const json = JSON.parse(readFileSync(pj, 'utf8'));
    json.dependencies = { ...json.dependencies, '@mc/client': 'workspace:^' };
    writeFileSync(pj, JSON.stringify(json));
    expect(checkEdges(dir)).toContain('forbidden edge: @mc/serde-lz4 -> @mc/client');
  });
});
