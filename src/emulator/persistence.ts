/**
 * State file persistence. Every commit rewrites the whole file atomically:
 * write a temp file in the same directory, fsync it, rename it over the target, fsync the directory.
 * A crash at any point leaves either the old file or the new one, never a torn one; the fsyncs make the
 * rename durable before the API answers, so an acknowledged change survives a kill or a power cut.
 *
 * Writes are synchronous on purpose: the model is single-threaded and a commit must finish before the
 * response leaves, and a sync write cannot interleave with another request's commit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { EmulatorState } from "./model/state";

let tempCounter = 0;
const ensuredDirs = new Set<string>();

export function writeStateFileAtomic(file: string, state: EmulatorState): void {
  const dir = path.dirname(path.resolve(file));
  if (!ensuredDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    ensuredDirs.add(dir);
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++tempCounter}.tmp`);
  const data = JSON.stringify(state);
  // 0600: the file holds auth keys, tokens and PACs.
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDirectory(dir);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Removes the temporary files a killed emulator left beside `file` (a kill between writing the temp
 * file and renaming it). Each is a full copy of the state, keys, tokens and PACs included, so they
 * must not pile up. Only names this module writes are touched: `.<state-file>.<pid>.<n>.tmp`.
 * Returns how many were removed.
 */
export function removeLeftoverTempFiles(file: string): number {
  const dir = path.dirname(path.resolve(file));
  const pattern = new RegExp(`^\\.${escapeRegExp(path.basename(file))}\\.\\d+\\.\\d+\\.tmp$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!pattern.test(name)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed += 1;
  }
  return removed;
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Reads a state file; `undefined` when it does not exist yet. A file that does not parse is an error, never silently reset. */
export function readStateFile(file: string): EmulatorState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const parsed = EmulatorState.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`state file ${file} is not a valid emulator state:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
