/**
 * Meta-test: every rule id in POLICY.md (R1, R4a, R12d …) must be cited by at least one test NAME.
 *
 * A test name is the first argument of `it(...)` / `test(...)` (also `it.only`, `it.concurrent`,
 * `it.each(table)(...)`, `it.skipIf(c)(...)`; never `.skip` or `.todo`, which prove nothing). It
 * cites the ids it starts with: `R9: ...`, `R9 ...`, or a list such as `R7a/R12b: ...` or
 * `R7a, R12b: ...`. Names are read statically with the TypeScript parser, so they must start with a
 * literal id: `it(\`R9: ${what}\`)` counts, `it(\`${rule}: ${what}\`)` cannot be read. `describe`
 * names do not count.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The policy lives beside the repo in the shared folder; a copy in the repo is used when that is absent.
const POLICY_CANDIDATES = [
  new URL('../../shared/POLICY.md', import.meta.url),
  new URL('../POLICY.md', import.meta.url),
  new URL('../docs/POLICY.md', import.meta.url),
];
const TEST_DIRS = ['packages', 'apps', 'test', 'bench'];
const SKIP_DIRS = new Set(['node_modules', 'dist']);
const ID = /\bR\d+[a-z]?\b/g;
// The leading ids of a name: one id, or several joined by "/", "," or "&", then ":" or a space.
const LEADING_IDS = /^(R\d+[a-z]?(?:\s*[/,&]\s*R\d+[a-z]?)*)(?=[: ])/;
const NON_PROVING = new Set(['skip', 'todo']);

/** Every distinct rule id in a policy text, in order of first appearance. */
export function ruleIds(markdown: string): string[] {
  return [...new Set(markdown.match(ID) ?? [])];
}

/** The ids a test name cites (its leading ids), e.g. `R7a/R12b: ...` → ['R7a', 'R12b']. */
export function citedIds(name: string): string[] {
  const m = LEADING_IDS.exec(name);
  return m?.[1] ? (m[1].match(ID) ?? []) : [];
}

function literalPrefix(node: ts.Expression | undefined): string | null {
  if (!node) return null;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return literalPrefix(node.left);
  if (ts.isParenthesizedExpression(node)) return literalPrefix(node.expression);
  return null;
}

/** The root identifier of a callee (`it` in `it.each(t)`) and the modifiers on the way. */
function calleeRoot(expr: ts.Expression): { root: string | null; modifiers: string[] } {
  const modifiers: string[] = [];
  let e: ts.Expression = expr;
  for (;;) {
    if (ts.isIdentifier(e)) return { root: e.text, modifiers };
    if (ts.isPropertyAccessExpression(e)) {
      modifiers.push(e.name.text);
      e = e.expression;
    } else if (ts.isCallExpression(e)) e = e.expression;
    else return { root: null, modifiers };
  }
}

/** The (literal prefixes of the) names of the tests declared in a test file. */
export function testNames(source: string, fileName = 'x.test.ts'): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const { root, modifiers } = calleeRoot(node.expression);
      if ((root === 'it' || root === 'test') && !modifiers.some((m) => NON_PROVING.has(m))) {
        const name = literalPrefix(node.arguments[0]);
        if (name !== null) names.push(name);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.isDirectory()) return SKIP_DIRS.has(d.name) || d.name.startsWith('.') ? [] : testFiles(join(dir, d.name));
    return /\.test\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [];
  });
}

function readPolicy(): string {
  const found = POLICY_CANDIDATES.find((u) => existsSync(u));
  if (!found) throw new Error(`POLICY.md not found; looked at ${POLICY_CANDIDATES.map((u) => fileURLToPath(u)).join(', ')}`);
  return readFileSync(found, 'utf8');
}

describe('the test-name reader', () => {
  it('reads plain, template, chained and table-driven test names', () => {
    const src = [
      "it('R1: plain', () => {});",
      'test("R2 double quotes", () => {});',
      'it(`R3: template ${x}`, () => {});',
      "it.only('R4: only', () => {});",
      "it.concurrent('R4a: concurrent', () => {});",
      "it.each([[1]])('R5: each %s', () => {});",
      "test.skipIf(cond)('R6: skipIf', () => {});",
      "it('R7' + ': concatenated', () => {});",
      "for (const r of rows) it(`R8a: ${r.what}`, () => {});",
    ].join('\n');
    expect(testNames(src)).toEqual(['R1: plain', 'R2 double quotes', 'R3: template ', 'R4: only', 'R4a: concurrent', 'R5: each %s', 'R6: skipIf', 'R7', 'R8a: ']);
  });
  it('ignores describe names, skipped and todo tests, and other calls', () => {
    const src = [
      "describe('R1: a describe', () => {});",
      "it.skip('R2: skipped', () => {});",
      "test.todo('R3: later');",
      "it.each([1]).skip?.('R4: x');",
      "expect('R5: not a test').toBe('R5: not a test');",
      "/R6/.test('R6: regex test method');",
      'it(`${rule}: dynamic`, () => {});',
    ].join('\n');
    expect(testNames(src)).toEqual(['']);
  });
  it('reads the leading ids of a name only', () => {
    expect(citedIds('R9: Prod, total outage is P1')).toEqual(['R9']);
    expect(citedIds('R1 channels are known')).toEqual(['R1']);
    expect(citedIds('R7a/R12b: a grant for another realm')).toEqual(['R7a', 'R12b']);
    expect(citedIds('R7a, R12b: listed')).toEqual(['R7a', 'R12b']);
    expect(citedIds('R12: permissions')).toEqual(['R12']);
    expect(citedIds('R12d: small')).not.toContain('R12');
    expect(citedIds('R1xy: two letters')).toEqual([]);
    expect(citedIds('r1: lower case')).toEqual([]);
    expect(citedIds('R10')).toEqual([]);
    expect(citedIds('mentions R9: in the middle')).toEqual([]);
    expect(citedIds('R9-ish: no')).toEqual([]);
  });
  it('extracts every distinct rule id from a policy text, sub-rules included', () => {
    expect(ruleIds('## Who (R2–R4)\n- R4a: x\n- R12d: y, see R8b and R4a. FOR1 is no id.')).toEqual(['R2', 'R4', 'R4a', 'R12d', 'R8b']);
  });
});

describe('policy coverage', () => {
  it('every rule id in POLICY.md is cited by at least one test name', () => {
    const ids = ruleIds(readPolicy());
    expect(ids).toEqual(expect.arrayContaining(['R1', 'R7a', 'R15']));
    const citedBy = new Map<string, string[]>();
    for (const file of TEST_DIRS.flatMap((d) => testFiles(join(ROOT, d)))) {
      for (const name of testNames(readFileSync(file, 'utf8'), file)) {
        for (const id of citedIds(name)) citedBy.set(id, [...(citedBy.get(id) ?? []), relative(ROOT, file)]);
      }
    }
    const uncovered = ids.filter((id) => !citedBy.has(id));
    expect(uncovered, `rule ids of POLICY.md that no test name cites: ${uncovered.join(', ')}`).toEqual([]);
  });
});
