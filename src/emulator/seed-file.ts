/** Loads a seed file (YAML or JSON; JSON is YAML) in the shape of `POST /_emulator/seed`. */
import * as fs from "node:fs";
import { isPair, isScalar, parseDocument, visit } from "yaml";
import { z } from "zod";
import { SeedRequest } from "./control/schemas";

export function loadSeedFile(file: string): SeedRequest {
  const text = fs.readFileSync(file, "utf8");
  const doc = parseDocument(text);
  const first = doc.errors[0];
  // Only the first line of the message: the rest quotes the file, which may hold PACs.
  if (first) throw new Error(`seed file ${file} is neither YAML nor JSON: ${first.message.split("\n")[0]}`);
  keepScalarsAsWritten(doc);
  const parsed = SeedRequest.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw new Error(`seed file ${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * No field of a seed is a number, but YAML reads `deviceId: 1234` or an all-digit PAC as one (losing
 * leading zeros, even precision). Numbers are therefore taken as the text written; inside `tags`, so
 * are booleans and nulls (`enabled: true` is the tag value "true").
 */
function keepScalarsAsWritten(doc: ReturnType<typeof parseDocument>): void {
  visit(doc, {
    Scalar(key, node, path) {
      if (key !== "value" || typeof node.source !== "string") return;
      const inTags = path.some((p) => isPair(p) && isScalar(p.key) && p.key.value === "tags");
      if (typeof node.value === "number" || typeof node.value === "bigint" || (inTags && typeof node.value !== "string")) {
        node.value = node.source;
      }
    },
  });
}
