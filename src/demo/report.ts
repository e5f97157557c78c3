/**
 * Formatting for the demo: the fleet as a table and drift as a list of fields per device.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { ApiSigfoxDevice } from "../api/schemas";

export function deviceTable(devices: ApiSigfoxDevice[]): string {
  const rows = devices.map((d) => [
    d.device_id,
    d.status ?? "",
    d.groupId ?? "(none)",
    d.terminationEnabled ? "allowed" : "protected",
    Object.entries(d.tags ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(", "),
  ]);
  const header = ["DEVICE", "STATUS", "GROUP", "TERMINATION", "TAGS"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")}`;
  return [line(header), ...rows.map(line)].join("\n");
}

export interface Drift {
  device: string;
  fields: string[];
}

/**
 * The devices a refresh preview found changed out of band, and which fields. The engine marks a
 * drifted resource's refresh step as `update` (or `delete` when it is gone) but carries no field
 * list for refresh steps, so the fields come from comparing the stored inputs with the inputs the
 * provider's `read` reconstructed from the live device.
 */
export function driftFromEvents(events: EngineEvent[]): Drift[] {
  const drifts: Drift[] = [];
  for (const event of events) {
    const meta = event.resOutputsEvent?.metadata;
    if (!meta?.type.endsWith(":SigfoxDevice") || meta.op === "same") continue;
    const device = meta.urn.slice(meta.urn.lastIndexOf("::") + 2);
    if (meta.op === "delete" || !meta.new) {
      drifts.push({ device, fields: ["(deleted)"] });
      continue;
    }
    const before = meta.old?.inputs ?? {};
    const after = meta.new.inputs ?? {};
    const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      // The PAC is not drift: `read` cannot rebuild it (it is never an output), so the refreshed
      // inputs always lack it, and `diff` never compares it.
      .filter((key) => key !== "__provider" && key !== "registrationSecret" && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      .sort();
    drifts.push({ device, fields });
  }
  return drifts;
}
