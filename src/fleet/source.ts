/**
 * Reading a fleet file (YAML or JSON) into plain data plus a locator that maps a field path
 * (`["devices", 2, "groupId"]`) to a line and column, so every issue can point into the file. An
 * object definition is the same data without lines.
 *
 * JSON is read by the YAML parser (JSON is YAML 1.2), which gives line numbers for both formats.
 * Parser messages are used without their source excerpt: the excerpt may be a line holding a PAC.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from "yaml";
import { FleetDefinitionError, type FleetIssue } from "./issues";
import { resolveUserPath } from "./paths";

export type FieldPath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
}

export interface Locator {
  /** Position of the value at `path`, or of its nearest existing ancestor. */
  value(path: FieldPath): Position | undefined;
  /** Position of the key `key` of the mapping at `path` (for unknown keys). */
  key(path: FieldPath, key: string): Position | undefined;
}

export interface ParsedSource {
  data: unknown;
  locator: Locator;
  issues: FleetIssue[];
}

/** An object definition has no lines. */
const NO_LOCATIONS: Locator = { value: () => undefined, key: () => undefined };

/** A fleet definition as read: plain data, and where it came from. */
export interface FleetSource {
  /** The fleet file (absolute), or undefined for an object definition. */
  file: string | undefined;
  data: unknown;
  locator: Locator;
  /** The folder relative paths in the definition are resolved against. */
  baseDir: string;
}

/** A mapping of the data read (a YAML/JSON object: not null, not a list). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads the fleet file at `source` (relative to `cwd`, `~` for `home`), or takes an object
 * definition as it is (its relative paths resolved against `baseDir`).
 *
 * @throws FleetDefinitionError when the file cannot be read or is not YAML/JSON: nothing else can be checked then.
 */
export function readFleetSource(source: string | object, where: { cwd: string; home: string; baseDir: string | undefined }): FleetSource {
  if (typeof source !== "string") return { file: undefined, data: source, locator: NO_LOCATIONS, baseDir: path.resolve(where.cwd, where.baseDir ?? ".") };
  const file = resolveUserPath(source, where.cwd, where.home);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new FleetDefinitionError(
      file,
      [
        {
          file,
          message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
          fix: "check the path of the fleet file (config fleet:file or SORACOM_FLEET_FILE when using the default program).",
        },
      ],
      where.cwd,
    );
  }
  const parsed = parseFleetText(text, file);
  if (parsed.issues.length > 0) throw new FleetDefinitionError(file, parsed.issues, where.cwd);
  return { file, data: parsed.data, locator: parsed.locator, baseDir: path.dirname(file) };
}

/** Where the value at `fieldPath` is, for an issue: the file and, when known, line and column. */
export function issueAt(source: Pick<FleetSource, "file" | "locator">, fieldPath: FieldPath): Pick<FleetIssue, "file" | "line" | "column"> {
  const position = source.locator.value(fieldPath);
  return { ...(source.file !== undefined ? { file: source.file } : {}), ...(position ?? {}) };
}

function parseFleetText(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const issues: FleetIssue[] = doc.errors.map((error) => {
    const { line, column } = position(error.pos[0]);
    return {
      file,
      line,
      column,
      message: `${syntaxProblem(error.code, error.message)}.`,
      fix: "correct the YAML/JSON syntax at this line (quote values that contain ': ' or '#').",
    };
  });

  const locateNode = (path: FieldPath): { node: Node | null; keyNode?: Node } => {
    let node: unknown = doc.contents;
    let keyNode: Node | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) break;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
        keyNode = undefined;
        node = node.items[segment];
      } else {
        break;
      }
    }
    return { node: (node as Node | null) ?? null, keyNode };
  };

  const rangeStart = (node: Node | null | undefined): number | undefined => {
    if (node === null || node === undefined || isPair(node)) return undefined;
    return node.range?.[0];
  };

  const locator: Locator = {
    value(path) {
      const { node, keyNode } = locateNode(path);
      // An empty value (`deviceId:`) has a zero-width range at the end of the line; the key is clearer.
      const emptyValue = isScalar(node) && node.value === null;
      const offset = (emptyValue ? rangeStart(keyNode) : undefined) ?? rangeStart(node) ?? rangeStart(keyNode);
      return offset !== undefined ? position(offset) : undefined;
    },
    key(path, key) {
      const { node } = locateNode(path);
      if (isMap(node)) {
        const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === key);
        const offset = rangeStart(pair?.key as Node | undefined);
        if (offset !== undefined) return position(offset);
      }
      return locator.value(path);
    },
  };

  return { data: doc.errors.length > 0 ? undefined : doc.toJS(), locator, issues };
}

/** The parser's description of a syntax error, without " at line N, column M" or an excerpt. */
function syntaxProblem(code: string, message: string): string {
  const firstLine = message.split("\n")[0] ?? "";
  const problem = firstLine.replace(/ at line \d+, column \d+:?$/, "").trim();
  if (code === "DUPLICATE_KEY") return "a key appears twice in the same mapping";
  return problem !== "" ? `YAML syntax error (${code}): ${problem}` : `YAML syntax error (${code})`;
}
