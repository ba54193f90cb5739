/**
 * The mutants of one source file, found on its syntax tree (TypeScript's parser, so strings,
 * comments, regexes and types are never touched): operator swaps (+/-, * and /, ===/!==,
 * ==/!=, </<=, >/>=, &&/||, +=/-=), boundary changes (each numeric constant ±1) and condition
 * changes (an if or ?: condition negated, true/false flipped). `+` on strings is skipped: the
 * type checker says which `+` adds numbers.
 */
import ts from 'typescript';

export type MutantKind = 'operator' | 'boundary' | 'condition';

export interface Mutant {
  /** Repository-relative path. */
  file: string;
  start: number;
  end: number;
  original: string;
  replacement: string;
  kind: MutantKind;
  line: number;
  column: number;
}

const SWAP: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.PlusToken]: '-',
  [ts.SyntaxKind.MinusToken]: '+',
  [ts.SyntaxKind.AsteriskToken]: '/',
  [ts.SyntaxKind.SlashToken]: '*',
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: '!==',
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: '===',
  [ts.SyntaxKind.EqualsEqualsToken]: '!=',
  [ts.SyntaxKind.ExclamationEqualsToken]: '==',
  [ts.SyntaxKind.LessThanToken]: '<=',
  [ts.SyntaxKind.LessThanEqualsToken]: '<',
  [ts.SyntaxKind.GreaterThanToken]: '>=',
  [ts.SyntaxKind.GreaterThanEqualsToken]: '>',
  [ts.SyntaxKind.AmpersandAmpersandToken]: '||',
  [ts.SyntaxKind.BarBarToken]: '&&',
  [ts.SyntaxKind.PlusEqualsToken]: '-=',
  [ts.SyntaxKind.MinusEqualsToken]: '+=',
};

function inType(n: ts.Node): boolean {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
    if (ts.isTypeNode(p)) return true;
    if (ts.isStatement(p) || ts.isExpression(p)) return false;
  }
  return false;
}

function isStringy(checker: ts.TypeChecker | undefined, e: ts.Expression): boolean {
  if (ts.isStringLiteral(e) || ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e))
    return true;
  if (!checker) return false;
  const t = checker.getTypeAtLocation(e);
  return (t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
}

function numberText(n: ts.NumericLiteral | ts.BigIntLiteral, delta: 1 | -1): string | undefined {
  if (ts.isBigIntLiteral(n)) {
    const v = BigInt(n.text.replace(/n$/, '').replace(/_/g, '')) + BigInt(delta);
    return `${v}n`;
  }
  const v = Number(n.text.replace(/_/g, ''));
  if (!Number.isFinite(v)) return undefined;
  const r = v + delta;
  return r < 0 ? `(${r})` : String(r);
}

/** Every mutant of `source` (path `file`), in source order. */
export function mutantsOf(file: string, source: ts.SourceFile, checker?: ts.TypeChecker): Mutant[] {
  const out: Mutant[] = [];
  const text = source.text;
  const add = (start: number, end: number, replacement: string, kind: MutantKind) => {
    const original = text.slice(start, end);
    if (original === replacement) return;
    const lc = source.getLineAndCharacterOfPosition(start);
    out.push({ file, start, end, original, replacement, kind, line: lc.line + 1, column: lc.character + 1 });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isTypeNode(n)) return;
    if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
    if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken;
      const to = SWAP[op.kind];
      const stringy =
        (op.kind === ts.SyntaxKind.PlusToken || op.kind === ts.SyntaxKind.PlusEqualsToken) &&
        (isStringy(checker, n.left) || isStringy(checker, n.right));
      if (to && !stringy) add(op.getStart(source), op.getEnd(), to, 'operator');
    } else if (ts.isNumericLiteral(n) || ts.isBigIntLiteral(n)) {
      const p = n.parent;
      const isName = (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name === n;
      if (!isName && !inType(n))
        for (const d of [1, -1] as const) {
          const r = numberText(n, d);
          if (r !== undefined) add(n.getStart(source), n.getEnd(), r, 'boundary');
        }
    } else if (n.kind === ts.SyntaxKind.TrueKeyword || n.kind === ts.SyntaxKind.FalseKeyword) {
      if (!inType(n))
        add(
          n.getStart(source),
          n.getEnd(),
          n.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true',
          'condition',
        );
    } else if (ts.isIfStatement(n)) {
      const e = n.expression;
      add(e.getStart(source), e.getEnd(), `!(${e.getText(source)})`, 'condition');
    } else if (ts.isConditionalExpression(n)) {
      const e = n.condition;
      add(e.getStart(source), e.getEnd(), `!(${e.getText(source)})`, 'condition');
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  // A condition mutant spans the operators inside it: order by start, then by length.
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Applies one mutant to the file's text. */
export function applyMutant(text: string, m: Mutant): string {
  return text.slice(0, m.start) + m.replacement + text.slice(m.end);
}

/** A type-checking program over `files` (absolute paths), for the string `+` test. */
export function programFor(files: string[]): ts.Program {
  return ts.createProgram(files, {
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.esnext.d.ts'],
  });
}
