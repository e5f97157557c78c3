/**
 * Measures what the Pulumi file backend writes for one stack.
 *
 * The backend rewrites the whole checkpoint after every step (write to a temp file, rename over the
 * checkpoint), so the bytes written grow as O(N²) with the number of resources. No counter of the
 * engine exposes that, so we watch the stack's directory (inotify through `fs.watch`): each rewrite
 * creates a uniquely named temp file (counted exactly), and the checkpoint's size right after its
 * rename is what was written. When two rewrites land before we stat, both are counted at the newer
 * size (the total can be slightly high). Checked against `strace -e trace=renameat` of the engine:
 * the same number of rewrites (208 for a 100-device create).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface StateWriteTotals {
  /** Rewrites of the checkpoint (`<stack>.json` or `<stack>.json.gz`). */
  checkpointWrites: number;
  /** Bytes of those rewrites. */
  checkpointBytes: number;
  /** Rewrites and bytes of the checkpoint's backup copy (`<stack>.json.bak`), if the backend keeps one. */
  backupWrites: number;
  backupBytes: number;
  /** Bytes of new files elsewhere under `.pulumi` (update history, backups directory). */
  otherNewBytes: number;
  /** Size of the checkpoint at the end. */
  finalCheckpointBytes: number;
  /** The checkpoint file's name at the end (shows whether it is gzipped). */
  checkpointFile: string;
}

/** The checkpoint of `stack` under a `file://` backend directory, whichever name the backend used. */
export function findCheckpoint(stateDir: string, stack: string): string | undefined {
  const root = path.join(stateDir, ".pulumi", "stacks");
  const hits: string[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === `${stack}.json` || entry.name === `${stack}.json.gz`) hits.push(p);
    }
  };
  walk(root);
  // Both may exist after switching gzip on: the newer one is the live checkpoint.
  hits.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return hits[0];
}

function treeSizes(dir: string, out = new Map<string, number>()): Map<string, number> {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) treeSizes(p, out);
    else if (entry.isFile()) {
      try {
        out.set(p, fs.statSync(p).size);
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return out;
}

export interface StateWatch {
  stop(): StateWriteTotals;
}

/** Starts watching the directory of `stack`'s checkpoint (the stack must exist). */
export function watchStackState(stateDir: string, stack: string): StateWatch {
  const checkpoint = findCheckpoint(stateDir, stack);
  if (!checkpoint) throw new Error(`no checkpoint of stack ${stack} under ${stateDir}`);
  const dir = path.dirname(checkpoint);
  const pulumiDir = path.join(stateDir, ".pulumi");
  const before = treeSizes(pulumiDir);
  const totals = { checkpointWrites: 0, checkpointBytes: 0, backupWrites: 0, backupBytes: 0 };
  // inotify reports one rewrite as several events (rename, change...): a rewrite is a distinct
  // (inode, mtime) of the file, so repeated events of the same version are not counted twice.
  const seen = new Map<string, string>();
  const version = (p: string): { key: string; size: number } | undefined => {
    try {
      const st = fs.statSync(p, { bigint: true });
      return { key: `${st.ino}:${st.mtimeNs}:${st.size}`, size: Number(st.size) };
    } catch {
      return undefined;
    }
  };
  const sizeOf = (p: string): number | undefined => {
    try {
      return fs.statSync(p).size;
    } catch {
      return undefined;
    }
  };
  // Each rewrite goes through a uniquely named temp file (`<stack>.json.<hex>.tmp`, renamed over the
  // checkpoint): counting distinct temp names is exact even when the machine is so loaded that two
  // renames land before we stat; the missed versions are then counted at the newer size.
  const tmpPending = { checkpoint: new Set<string>(), backup: new Set<string>() };
  const cpTmp = new RegExp(`^${escapeText(stack)}\\.json(\\.gz)?\\.[0-9a-f]+\\.tmp$`);
  const bakTmp = new RegExp(`^${escapeText(stack)}\\.json(\\.gz)?\\.bak\\.[0-9a-f]+\\.tmp$`);
  const lastSize = { checkpoint: 0, backup: 0 };
  const count = (kind: "checkpoint" | "backup", writes: number, size: number): void => {
    if (kind === "checkpoint") {
      totals.checkpointWrites += writes;
      totals.checkpointBytes += writes * size;
    } else {
      totals.backupWrites += writes;
      totals.backupBytes += writes * size;
    }
  };
  const watcher = fs.watch(dir, (event, filename) => {
    if (!filename) return;
    const name = filename.toString();
    if (process.env.BENCH_DEBUG_WATCH) console.error(`[watch] ${event} ${name}`);
    if (cpTmp.test(name)) return void tmpPending.checkpoint.add(name);
    if (bakTmp.test(name)) return void tmpPending.backup.add(name);
    const kind =
      name === `${stack}.json` || name === `${stack}.json.gz`
        ? "checkpoint"
        : name === `${stack}.json.bak` || name === `${stack}.json.gz.bak`
          ? "backup"
          : undefined;
    if (!kind) return;
    const v = version(path.join(dir, name));
    if (!v) return;
    const isNew = seen.get(name) !== v.key;
    seen.set(name, v.key);
    const pending = tmpPending[kind].size;
    const writes = isNew ? Math.max(1, pending) : pending;
    tmpPending[kind].clear();
    lastSize[kind] = v.size;
    if (writes > 0) count(kind, writes, v.size);
  });
  return {
    stop: () => {
      watcher.close();
      // Temp files seen whose rename we did not observe: count them at the last size seen.
      if (tmpPending.checkpoint.size > 0)
        count("checkpoint", tmpPending.checkpoint.size, sizeOf(findCheckpoint(stateDir, stack) ?? checkpoint) ?? lastSize.checkpoint);
      if (tmpPending.backup.size > 0) count("backup", tmpPending.backup.size, lastSize.backup);
      const after = treeSizes(pulumiDir);
      let otherNewBytes = 0;
      for (const [p, size] of after) {
        if (path.dirname(p) === dir) continue;
        if (!before.has(p)) otherNewBytes += size;
      }
      const final = findCheckpoint(stateDir, stack) ?? checkpoint;
      return { ...totals, otherNewBytes, finalCheckpointBytes: sizeOf(final) ?? 0, checkpointFile: path.basename(final) };
    },
  };
}

function escapeText(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
