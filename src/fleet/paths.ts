/**
 * Paths as people write them in fleet files, config and flags (`~/pacs.csv`,
 * `${SORACOM_PACS_CSV:-sample-pacs.csv}`), and paths shown back to them in messages.
 */
import * as path from "node:path";

/**
 * Expands `${NAME}` and `${NAME:-default}` in a CSV path from the environment, so one fleet file
 * can point at a sample CSV by default and at a file outside the repository in real use
 * (`pacsCsv: ${SORACOM_PACS_CSV:-sample-pacs.csv}`). Returns the unset variables without defaults.
 */
export function expandEnvInPath(p: string, env: Readonly<Record<string, string | undefined>>): { path: string; unset: string[] } {
  const unset: string[] = [];
  const expanded = p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    unset.push(name);
    return "";
  });
  return { path: expanded, unset };
}

/** Expands `~` and resolves `p` against `baseDir`. */
export function resolveUserPath(p: string, baseDir: string, home: string): string {
  if (p === "~") return home;
  if (p.startsWith("~/") || p.startsWith("~\\")) return path.join(home, p.slice(2));
  return path.resolve(baseDir, p);
}

/** A path shown to people: relative to the working directory when below it, else absolute. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}
