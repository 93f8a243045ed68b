import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  InvalidArgumentError,
  InvalidKeyError,
  isMemcacheError,
  MEMCACHE_ERROR_BRAND,
  MEMCACHE_ERROR_CODES,
  MemcacheError,
} from '@mc/protocol';
import { SerdeError } from '@mc/serde';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');
const CODE_LITERAL = /['"`](MC_ERR_[A-Z_]+)['"`]/g;
/** What another installed copy of @mc/protocol would use: the registered symbol, not our constant. */
const OTHER_COPY_BRAND: unique symbol = Symbol.for('@mc/error') as never;

function* sourceFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|mts|js|mjs)$/.test(e.name)) yield p;
  }
}

/** Every MC_ERR_* literal in packages/<pkg>/src, by code, with the files that use it. */
function codesInSources(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const pkg of readdirSync(packagesDir)) {
    let files: string[];
    try {
      files = [...sourceFiles(join(packagesDir, pkg, 'src'))];
    } catch {
      continue; // a package folder without src/
    }
    for (const file of files) {
      let text = readFileSync(file, 'utf8');
      // The list of codes itself is what is checked, so it does not count as a use.
      text = text.replace(/\/\/ codes:start[\s\S]*?\/\/ codes:end/, '');
      for (const m of text.matchAll(CODE_LITERAL)) {
        const list = found.get(m[1]!) ?? [];
        list.push(relative(root, file));
        found.set(m[1]!, list);
      }
    }
  }
  return found;
}

interface Row {
  code: string;
  classes: string[];
  pkg: string;
}

const errorsMd = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
const detailStart = errorsMd.indexOf('### Detail codes');

function rowsOf(md: string, classCell: number, pkgCell: number): Row[] {
  return md
    .split('\n')
    .filter((l) => l.startsWith('| `MC_ERR_'))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return {
        code: cells[1]!.replaceAll('`', ''),
        classes: [...cells[classCell]!.matchAll(/`([A-Z][a-z]\w*)`/g)].map((m) => m[1]!),
        pkg: cells[pkgCell]!,
      };
    });
}

/** The rows of the main table of docs/errors.md: the values of `code`. */
function tableRows(): Row[] {
  return rowsOf(errorsMd.slice(0, detailStart < 0 ? undefined : detailStart), 2, 3);
}

/** The rows of its "Detail codes" table: values of a second field such as PickleError's pickleCode. */
function detailRows(): Row[] {
  return detailStart < 0 ? [] : rowsOf(errorsMd.slice(detailStart), 3, 4);
}

describe('docs/errors.md against the sources', () => {
  const rows = tableRows();
  const details = detailRows();
  const codes = rows.map((r) => r.code);
  const documented = [...codes, ...details.map((r) => r.code)];
  const used = codesInSources();

  it('lists each code once', () => {
    expect(documented.length).toBeGreaterThan(10);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('documents every code a source file uses', () => {
    const undocumented = [...used.keys()].filter((c) => !documented.includes(c));
    expect(undocumented.map((c) => `${c} (${used.get(c)!.join(', ')})`)).toEqual([]);
  });

  it('documents no code that no source file uses', () => {
    expect(documented.filter((c) => !used.has(c))).toEqual([]);
  });

  it('matches MEMCACHE_ERROR_CODES (the MemcacheErrorCode union), in the same order', () => {
    expect([...MEMCACHE_ERROR_CODES]).toEqual(codes);
  });

  it("names classes that the row's package defines", () => {
    const missing: string[] = [];
    for (const row of [...rows, ...details]) {
      const text = [...sourceFiles(join(packagesDir, row.pkg, 'src'))]
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      for (const cls of row.classes) if (!text.includes(`class ${cls} `)) missing.push(`${row.pkg}: ${cls}`);
    }
    expect(missing).toEqual([]);
  });
});

/**
 * Throw sites in files this test's author could not change, each to become a coded error (an
 * InvalidArgumentError for an unknown node). Remove an entry when its site is fixed.
 */
const PENDING_UNCODED_THROWS: string[] = [];

describe('pool, hash and aws-discovery throw only coded errors', () => {
  it('no plain Error, RangeError or TypeError is thrown or rejected with in their sources', () => {
    const found: string[] = [];
    for (const pkg of ['pool', 'hash', 'aws-discovery']) {
      for (const file of sourceFiles(join(packagesDir, pkg, 'src'))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(
          /(?:throw|reject\(|Promise\.reject\()\s*new (?:Range|Type|Syntax)?Error\([^;\n]*/g,
        ))
          found.push(`${relative(root, file)}: ${m[0].replace(/\s+/g, ' ')}`);
      }
    }
    expect(found.filter((f) => !PENDING_UNCODED_THROWS.some((p) => f.startsWith(p)))).toEqual([]);
  });
});

describe('the brand: instanceof MemcacheError', () => {
  it('is true for SerdeError, which @mc/serde defines without importing MemcacheError', () => {
    const err = new SerdeError('cannot serialize a function');
    expect(err).toBeInstanceOf(MemcacheError);
    expect(err instanceof MemcacheError).toBe(true);
    expect(isMemcacheError(err)).toBe(true);
    expect(err.code).toBe('MC_ERR_SERDE');
  });

  it('is true for an error of another installed copy (same registered brand, other class)', () => {
    class OtherCopyError extends Error {
      readonly code = 'MC_ERR_TIMEOUT';
      readonly [OTHER_COPY_BRAND] = true;
    }
    expect(new OtherCopyError() instanceof MemcacheError).toBe(true);
    expect(MEMCACHE_ERROR_BRAND).toBe(Symbol.for('@mc/error'));
  });

  it('is false for plain errors, non-objects, and a brand without a code', () => {
    expect(new Error('x') instanceof MemcacheError).toBe(false);
    expect(new RangeError('x') instanceof MemcacheError).toBe(false);
    expect((null as unknown) instanceof MemcacheError).toBe(false);
    expect(('MC_ERR_TIMEOUT' as unknown) instanceof MemcacheError).toBe(false);
    expect({ [MEMCACHE_ERROR_BRAND]: true } instanceof MemcacheError).toBe(false);
  });

  it('keeps subclasses strict: a SerdeError is not an InvalidKeyError, and subclasses still match', () => {
    const serde = new SerdeError('x');
    expect(serde instanceof InvalidKeyError).toBe(false);
    const key = new InvalidKeyError('a b', 'whitespace');
    expect(key instanceof InvalidKeyError).toBe(true);
    expect(key instanceof InvalidArgumentError).toBe(false);
    expect(key instanceof MemcacheError).toBe(true);
    expect(key instanceof Error).toBe(true);
  });
});
