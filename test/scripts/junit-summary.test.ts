import { expect, test } from 'bun:test';
import { summarize, summaryLine, unescapeXml } from '../../scripts/junit-summary.ts';

const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="bun test" tests="4">
  <testsuite name="a.test.ts" file="a.test.ts" tests="4">
    <testcase name="passes" classname="group" time="0.1" file="a.test.ts" line="2" assertions="1" />
    <testcase name="x &amp; y fail" classname="group" time="0.006" file="a.test.ts" line="3" assertions="1">
      <failure type="AssertionError" message="m">AssertionError: expect(received).toBe(expected)&#10;&#10;Expected: 2&#10;Received: 1&#10;&#10;      at a.test.ts:3:63&#10;</failure>
    </testcase>
    <testcase name="skipped" classname="" file="a.test.ts" line="4"><skipped /></testcase>
    <testcase name="long" classname="" file="b.test.ts" line="9">
      <error type="Error">${Array.from({ length: 20 }, (_, i) => `line ${i}`).join('&#10;')}</error>
    </testcase>
  </testsuite>
</testsuites>`;

test('counts passed, failed and skipped cases, and names each failure with its file, line and text', () => {
  const s = summarize(REPORT);
  expect(summaryLine(s)).toBe('tests: 1 passed, 2 failed, 1 skipped');
  expect(s.failures[0]).toBe(
    [
      'FAIL a.test.ts:3 group > x & y fail',
      '    AssertionError: expect(received).toBe(expected)',
      '    ',
      '    Expected: 2',
      '    Received: 1',
      '    ',
      '          at a.test.ts:3:63',
    ].join('\n'),
  );
  const long = s.failures[1]!.split('\n');
  expect(long[0]).toBe('FAIL b.test.ts:9 long');
  expect(long.length).toBe(1 + 14 + 1);
  expect(long.at(-2)).toBe('    line 13');
  expect(long.at(-1)).toBe('    … 6 more lines');
});

test('failed steps add to the count; a failed runner with no failed case is one failure; no cases is 0 passed', () => {
  expect(summaryLine(summarize(REPORT, 2))).toBe('tests: 1 passed, 4 failed, 1 skipped');
  expect(summaryLine(summarize('<testsuites/>', 0, 1))).toBe('tests: 0 passed, 1 failed');
  expect(summaryLine(summarize('', 0, 0))).toBe('tests: 0 passed, 0 failed');
  expect(summaryLine(summarize(REPORT, 0, 1))).toBe('tests: 1 passed, 2 failed, 1 skipped');
});

test('XML entities, numeric and named, are decoded once', () => {
  expect(unescapeXml('a&lt;b&gt;&amp;amp;&#10;&#x41;&quot;&apos;&bogus;')).toBe('a<b>&amp;\nA"\'&bogus;');
});
