// Reads vitest's JSON results and prints the plain closing line CI reads: "N passed, N failed".
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.test-results/vitest.json';
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} catch (err) {
  console.error(`ci-summary: cannot read ${file}: ${err.message}`);
  failed = 1;
}
const extra = Number(process.argv[3] ?? 0);
console.log(`${passed} passed, ${failed + extra} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed + extra > 0 ? 1 : 0);
