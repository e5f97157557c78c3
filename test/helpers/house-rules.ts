/**
 * The import rules of docs/ARCHITECTURE.md ("Rules") as data, and a checker that reads the imports of
 * source files with TypeScript's own parser (static imports and re-exports, `import type`,
 * `import x = require()`, `require()` and `import()` with a literal): comments and strings never count.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/** The package's own name: `pulumi-soracom-sigfox/<area>` is an import of `src/<area>`. */
const PACKAGE_NAME = "pulumi-soracom-sigfox";

/** One rule: what files of `area` (a top-level folder of src/, or `index` for src/index.ts) may import. */
export interface ImportRule {
  /** Short name, printed with each violation. */
  name: string;
  /** Areas the rule applies to; `*` = every area. */
  areas: readonly string[];
  /** Areas of src/ these files must not import. */
  forbidAreas?: readonly string[];
  /** When given: the only areas of src/ these files may import (besides their own). */
  onlyAreas?: readonly string[];
  /** Packages these files must not import. */
  forbidPackages?: RegExp;
  /** Areas these files may import only through their front door (`src/<area>/index.ts`), not module by module. */
  frontDoorOnly?: readonly string[];
}

export const IMPORT_RULES: readonly ImportRule[] = [
  { name: "api imports nothing of the project (wire schemas and formats only, zod)", areas: ["api"], onlyAreas: [] },
  { name: "client imports only api (no provider, emulator, fleet, CLI)", areas: ["client"], onlyAreas: ["api"] },
  { name: "emulator does not import the client (it is the other side of the wire)", areas: ["emulator"], forbidAreas: ["client"] },
  { name: "fleet does not import Pulumi (files are loaded and checked without an engine)", areas: ["fleet"], forbidPackages: /^@pulumi\// },
  { name: "selection imports only api and client", areas: ["selection"], onlyAreas: ["api", "client"] },
  {
    name: "provider does not import the emulator or repository programs (every stored resource loads it forever)",
    areas: ["provider"],
    forbidAreas: ["emulator", "cli", "demo", "bench", "engine"],
  },
  {
    name: "the root entry does not import the emulator or repository plumbing",
    areas: ["index"],
    forbidAreas: ["emulator", "cli", "demo", "bench", "engine"],
  },
  { name: "cli, demo and bench are programs: nothing imports them", areas: ["*"], forbidAreas: ["cli", "demo", "bench"] },
  { name: "outside src/fleet, the fleet is imported only through its front door src/fleet/index.ts", areas: ["*"], frontDoorOnly: ["fleet"] },
  { name: "outside src/client, the client is imported only through its front door src/client/index.ts", areas: ["*"], frontDoorOnly: ["client"] },
];

/** One import found in a file. */
export interface FoundImport {
  specifier: string;
  line: number;
}

/** A broken rule, as `file:line: text`. */
export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

/** Every module specifier `text` imports, with its 1-based line. */
export function importsOf(fileName: string, text: string): FoundImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found: FoundImport[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined) => {
    if (literal && ts.isStringLiteralLike(literal))
      found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if (isRequire || node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The area of a file under src/ (`client` for src/client/x.ts, `index` for src/index.ts). */
export function areaOfFile(relativeToSrc: string): string {
  const parts = relativeToSrc.split(/[\\/]/);
  return parts.length === 1 ? parts[0]!.replace(/\.[cm]?[jt]s$/, "") : parts[0]!;
}

/**
 * What an import points to: for a module of src/, its area and whether it is the area's front door
 * (`src/<area>/index.ts`, or the folder itself); else the package name (anything outside src/).
 */
function target(fileRelativeToSrc: string, specifier: string): { area: string; frontDoor: boolean } | { pkg: string } {
  if (specifier === PACKAGE_NAME) return { area: "index", frontDoor: true };
  if (specifier.startsWith(`${PACKAGE_NAME}/`)) return moduleTarget(specifier.slice(PACKAGE_NAME.length + 1));
  if (specifier.startsWith(".")) {
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(fileRelativeToSrc.split(path.sep).join("/")), specifier));
    // The benchmarks live beside src/ (bench/src) and count as the area `bench`.
    if (resolved.startsWith("../bench/")) return { area: "bench", frontDoor: false };
    if (resolved.startsWith("../")) return { pkg: specifier }; // outside src/ (package.json and the like)
    return resolved === "." || resolved === "index" ? { area: "index", frontDoor: true } : moduleTarget(resolved);
  }
  return { pkg: specifier };
}

/** `<area>` and `<area>/index(.js)` are an area's front door (`fleet`, `client/index.js`); `fleet/load` is not. */
function moduleTarget(pathInSrc: string): { area: string; frontDoor: boolean } {
  const parts = pathInSrc.replace(/\.[cm]?[jt]s$/, "").split("/");
  return { area: areaOfFile(pathInSrc), frontDoor: parts.length === 1 || (parts.length === 2 && parts[1] === "index") };
}

/** The rules `files` (paths relative to src/, with their text) break. */
export function checkImports(files: ReadonlyArray<{ path: string; text: string }>, rules: readonly ImportRule[] = IMPORT_RULES): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const area = areaOfFile(file.path);
    const applicable = rules.filter((r) => r.areas.includes("*") || r.areas.includes(area));
    for (const imp of importsOf(file.path, file.text)) {
      const t = target(file.path, imp.specifier);
      for (const rule of applicable) {
        const broken =
          "area" in t
            ? t.area !== area &&
              ((rule.forbidAreas?.includes(t.area) ?? false) ||
                (rule.onlyAreas !== undefined && !rule.onlyAreas.includes(t.area)) ||
                ((rule.frontDoorOnly?.includes(t.area) ?? false) && !t.frontDoor))
            : (rule.forbidPackages?.test(t.pkg) ?? false);
        if (broken) violations.push({ file: `src/${file.path.split(path.sep).join("/")}`, line: imp.line, specifier: imp.specifier, rule: rule.name });
      }
    }
  }
  return violations;
}

/** Every .ts file under `srcDir`, as paths relative to it with their text. */
export function readSourceTree(srcDir: string): Array<{ path: string; text: string }> {
  return (fs.readdirSync(srcDir, { recursive: true, encoding: "utf8" }) as string[])
    .filter((f) => /\.[cm]?ts$/.test(f) && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => ({ path: f, text: fs.readFileSync(path.join(srcDir, f), "utf8") }));
}

/**
 * Imports of bench code (files relative to bench/src) that reach the project by a relative path
 * instead of `#src/...`: Node resolves `#src/` to the built dist/ (package.json "imports"), the code
 * the provider process runs; a relative path into src/ would compile a second copy into dist-bench.
 */
export function benchImportsBySourcePath(files: ReadonlyArray<{ path: string; text: string }>): Violation[] {
  const rule = "bench imports the project as #src/... (the built dist/), never by a path into src/";
  return files.flatMap((file) =>
    importsOf(file.path, file.text)
      .filter(
        (imp) => imp.specifier.startsWith(".") && path.posix.join(path.posix.dirname(file.path.split(path.sep).join("/")), imp.specifier).startsWith("../"),
      )
      .map((imp) => ({ file: `bench/src/${file.path.split(path.sep).join("/")}`, line: imp.line, specifier: imp.specifier, rule })),
  );
}

/** `file:line: imports "x": rule` per violation. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.file}:${v.line}: imports ${JSON.stringify(v.specifier)}: ${v.rule}`).join("\n");
}
