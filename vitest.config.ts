import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of every workspace package, so `pnpm test` needs no build.
    alias: [{ find: /^@mc\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'tests/**/*.test.ts',
      'scripts/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    globalSetup: ['./tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.test-results/vitest.json' }]]
      : ['default'],
  },
});
