/**
 * PACs released by an immediate deletion.
 *
 * `terminate?delete_immediately=true` returns the device to the Sigfox network with a *new* PAC, the
 * only way to register it again anywhere. A `delete` cannot return outputs, and the PAC must never
 * reach the engine's log, so it is written to a private file:
 * `<releasedPacDir>/<operatorId>/<deviceId>.json` (directory 0700, file 0600, written atomically) and
 * only the path is logged. The directory is prepared *before* the terminate call, so an unwritable
 * directory stops the deletion instead of losing the PAC.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";

/** Contents of a released-PAC file. */
export interface ReleasedPacRecord {
  deviceId: string;
  operatorId: string;
  /** The device's new PAC (secret): register the device again with it. */
  registrationSecret: string;
  /** ISO time the provider received it. */
  releasedAt: string;
}

/** Operator IDs become directory names: keep them to a safe alphabet. */
function safeSegment(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, "_");
  return cleaned === "" ? "_" : cleaned;
}

/** The file a released PAC goes to. */
export function releasedPacPath(dir: string, operatorId: string, deviceId: string): string {
  return path.join(dir, safeSegment(operatorId || "unknown-operator"), `${safeSegment(deviceId)}.json`);
}

/** Creates the directory of `file` (0700) and proves it is writable. Throws a clear error otherwise. */
export async function prepareReleasedPacDir(file: string): Promise<void> {
  const dir = path.dirname(file);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.access(dir, fs.constants?.W_OK ?? 2);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new Error(
      `cannot prepare the directory for the released PAC (${dir}: ${code}); set soracom:releasedPacDir ` +
        `or SORACOM_RELEASED_PAC_DIR to a writable directory`,
    );
  }
}

/** Writes the record with mode 0600 through a temporary file and a rename. Returns the path. */
export async function writeReleasedPac(file: string, record: ReleasedPacRecord): Promise<string> {
  await prepareReleasedPacDir(file);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await fs.open(tmp, "w", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
  return file;
}

/**
 * Finds the released PAC in a terminate response. The spec does not name the field; the emulator and
 * the API docs' prose suggest `registrationSecret`; `pac`/`newPac` are accepted as well.
 */
export function releasedPacOf(response: unknown): string | undefined {
  if (response === null || typeof response !== "object") return undefined;
  const r = response as Record<string, unknown>;
  for (const key of ["registrationSecret", "newRegistrationSecret", "pac", "newPac"]) {
    const v = r[key];
    if (typeof v === "string" && v !== "") return v;
  }
  return undefined;
}
