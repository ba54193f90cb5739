/**
 * Prints "tests: N passed, N failed[, N skipped]" from bun's JUnit report. Extra failed
 * steps (typecheck, lint) given as the second argument count as failures; a non-zero runner
 * status (third argument) with no failed case in the report counts as one failure.
 *
 * Before that line, on stderr, each failed case with its file, line and the first lines of
 * its failure text: bun prints a failure's details where it happens, often thousands of
 * lines before the end, and a CI log is often read from its tail.
 */
const MAX_CASES = 10;
const MAX_LINES = 14;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
  return m ? unescapeXml(m[1]!) : '';
};

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  /** One block of text per failed case, in report order. */
  failures: string[];
}

export function summarize(xml: string, extraFailed = 0, runnerStatus = 0): Summary {
  const s: Summary = { passed: 0, failed: extraFailed, skipped: 0, failures: [] };
  for (const c of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = c[3] ?? '';
    const failure = /<(failure|error)\b[^>]*?(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (failure) {
      s.failed++;
      const tag = c[1]!;
      const text = unescapeXml(failure[2] ?? '')
        .trimEnd()
        .split('\n');
      const shown = text.slice(0, MAX_LINES).map((l) => `    ${l}`);
      if (text.length > MAX_LINES) shown.push(`    … ${text.length - MAX_LINES} more lines`);
      s.failures.push(
        [
          `FAIL ${attr(tag, 'file')}:${attr(tag, 'line')} ${[attr(tag, 'classname'), attr(tag, 'name')].filter(Boolean).join(' > ')}`,
          ...shown,
        ].join('\n'),
      );
    } else if (/<skipped\b/.test(body)) s.skipped++;
    else s.passed++;
  }
  if (runnerStatus !== 0 && s.failed === 0) s.failed = 1;
  return s;
}

export function summaryLine(s: Summary): string {
  return `tests: ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`;
}

if (import.meta.main) {
  const [path, extraFailed = '0', runnerStatus = '0'] = process.argv.slice(2);
  if (!path) {
    console.error('usage: junit-summary.ts REPORT.xml [EXTRA_FAILED] [RUNNER_STATUS]');
    process.exit(2);
  }
  const xml = await Bun.file(path)
    .text()
    .catch(() => '');
  const s = summarize(xml, Number(extraFailed), Number(runnerStatus));
  if (s.failures.length) {
    const shown = s.failures.slice(0, MAX_CASES);
    const more = s.failures.length - shown.length;
    console.error(`== failed tests\n${shown.join('\n')}${more > 0 ? `\n… and ${more} more` : ''}`);
  }
  console.log(summaryLine(s));
}
