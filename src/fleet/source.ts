/**
 * Reading a fleet file (YAML or JSON) into plain data plus a locator that maps a field path
 * (`["devices", 2, "groupId"]`) to a line and column, so every issue can point into the file.
 *
 * JSON is read by the YAML parser (JSON is YAML 1.2), which gives line numbers for both formats.
 * Parser messages are used without their source excerpt: the excerpt may be a line holding a PAC.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from "yaml";
import type { FleetIssue } from "./issues";

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
export const NO_LOCATIONS: Locator = { value: () => undefined, key: () => undefined };

export function parseFleetText(text: string, file: string): ParsedSource {
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
