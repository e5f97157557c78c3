/** Loads a seed file (YAML or JSON; JSON is YAML) in the shape of `POST /_emulator/seed`. */
import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { SeedRequest } from "./control/schemas";

export function loadSeedFile(file: string): SeedRequest {
  const text = fs.readFileSync(file, "utf8");
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // Only the first line: the rest of the YAML message quotes the file, which may hold PACs.
    throw new Error(`seed file ${file} is neither YAML nor JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = SeedRequest.safeParse(doc ?? {});
  if (!parsed.success) throw new Error(`seed file ${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
