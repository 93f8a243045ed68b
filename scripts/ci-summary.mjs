// Reads vitest's JSON results and prints the plain closing line CI reads: "N passed, N failed".
// A failed test counts once. A test file that failed without any failed test (it did not load, or a
// hook threw) counts as one failure more. vitest's numFailedTestSuites is not used: it counts every
// describe block around a failed test, so one failure would be reported three times.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.test-results/vitest.json';
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  for (const f of r.testResults ?? []) {
    const failedHere = (f.assertionResults ?? []).filter((a) => a.status === 'failed').length;
    if (f.status === 'failed' && failedHere === 0) failed += 1;
  }
} catch (err) {
  console.error(`ci-summary: cannot read ${file}: ${err.message}`);
  failed = 1;
}
const extra = Number(process.argv[3] ?? 0);
console.log(`${passed} passed, ${failed + extra} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed + extra > 0 ? 1 : 0);
