/**
 * Prints "tests: N passed, N failed[, N skipped]" from bun's JUnit report. Extra failed
 * steps (typecheck, lint) given as the second argument count as failures; a non-zero runner
 * status (third argument) with no failed case in the report counts as one failure.
 */
const [path, extraFailed = '0', runnerStatus = '0'] = process.argv.slice(2);
if (!path) {
  console.error('usage: junit-summary.ts REPORT.xml [EXTRA_FAILED]');
  process.exit(2);
}
const xml = await Bun.file(path)
  .text()
  .catch(() => '');
const cases = [...xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
let failed = Number(extraFailed);
let skipped = 0;
let passed = 0;
for (const c of cases) {
  const body = c[2] ?? '';
  if (/<(failure|error)\b/.test(body)) failed++;
  else if (/<skipped\b/.test(body)) skipped++;
  else passed++;
}
if (runnerStatus !== '0' && failed === 0) failed = 1;
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);

export {};
