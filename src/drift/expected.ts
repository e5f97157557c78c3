/**
 * The expected side of a drift check: what each managed device should look like, from a Pulumi
 * state (the outputs the last `pulumi up` recorded for each `SigfoxDevice`) or a fleet file.
 */
import { z } from "zod";
import { SIGFOX_DEVICE_TYPE } from "../provider/type-token";

/** The type token of the dynamic resource (permanent: state of every stack carries it). */
export { SIGFOX_DEVICE_TYPE } from "../provider/type-token";

/** One managed device and the state it should have. */
export interface ExpectedDevice {
  deviceId: string;
  /** The stack that manages it (or the fleet file / state file path). */
  stack: string;
  tags: Record<string, string>;
  /** Absent: in no group. */
  groupId?: string;
  terminationEnabled: boolean;
  /** Fields whose expected value is unknown (stored as a secret in the state): never compared. */
  uncomparable?: string[];
}

/** A value the engine encrypted (`pulumi.secret`): not comparable without decrypting, which drift never does. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown): boolean => typeof v === "object" && v !== null && SECRET_SIGNATURE in v;

const ResourceSchema = z.looseObject({
  urn: z.string(),
  type: z.string(),
  delete: z.boolean().optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});

/** `pulumi stack export` output: `{version, deployment: {resources}}` (resources absent in an empty stack). */
export const StackExportSchema = z.looseObject({
  version: z.number(),
  deployment: z.looseObject({ resources: z.array(ResourceSchema).optional() }),
});

export class ExpectedStateError extends Error {
  override name = "ExpectedStateError";
}

/**
 * The managed devices of one exported state. Resources pending deletion (`delete: true`, left by an
 * interrupted replacement) are skipped: the device they describe is the replacement's. A field
 * stored as a secret cannot be compared: it is left out and reported through `warn`.
 */
export function devicesOfStackExport(text: string, stack: string, warn: (message: string) => void): ExpectedDevice[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ExpectedStateError(`${stack}: the exported state is not JSON. Fix: give the output of \`pulumi stack export\` as it is.`);
  }
  const parsed = StackExportSchema.safeParse(json);
  if (!parsed.success) {
    throw new ExpectedStateError(
      `${stack}: not a \`pulumi stack export\` document (${parsed.error.issues[0]?.path.join(".") || "top level"}: ${parsed.error.issues[0]?.message}).`,
    );
  }
  const devices: ExpectedDevice[] = [];
  for (const resource of parsed.data.deployment.resources ?? []) {
    if (resource.type !== SIGFOX_DEVICE_TYPE || resource.delete === true) continue;
    const outputs = resource.outputs ?? {};
    const deviceId = outputs.deviceId ?? resource.inputs?.deviceId;
    if (typeof deviceId !== "string") {
      warn(`${stack}: ${resource.urn} has no device ID in its state; skipped.`);
      continue;
    }
    const secretFields = ["tags", "groupId", "terminationEnabled"].filter((f) => isSecret(outputs[f]));
    if (secretFields.length > 0) {
      warn(`${stack}: device ${deviceId}: ${secretFields.join(", ")} stored as a secret in the state; not compared (drift never decrypts).`);
    }
    const tags = outputs.tags;
    const groupId = outputs.groupId;
    const device: ExpectedDevice = {
      deviceId,
      stack,
      tags: typeof tags === "object" && tags !== null && !isSecret(tags) ? stringRecord(tags as Record<string, unknown>) : {},
      ...(typeof groupId === "string" && groupId !== "" ? { groupId } : {}),
      terminationEnabled: outputs.terminationEnabled === true,
      ...(secretFields.length > 0 ? { uncomparable: secretFields } : {}),
    };
    devices.push(device);
  }
  return devices;
}

function stringRecord(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}
