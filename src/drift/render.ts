/**
 * The report's human formats (text for a terminal, markdown for a pull-request or issue comment) and
 * the dispatcher over every `--format`. One row per finding, shared by text, markdown and HTML.
 */
import { renderHtml } from "./html";
import type { DriftReport, DriftValue } from "./report";

export const FORMATS = ["text", "json", "markdown", "html"] as const;
export type Format = (typeof FORMATS)[number];

export type FindingKind = "drifted" | "missing" | "unmanaged";

export interface FindingRow {
  kind: FindingKind;
  deviceId: string;
  /** Stack (or file) for managed devices; empty for unmanaged ones. */
  stack: string;
  /** `tags.site`, `groupId`, ...; the reason for missing; the status for unmanaged. */
  what: string;
  expected: string;
  actual: string;
}

export const showValue = (v: DriftValue): string => (v === null ? "(none)" : typeof v === "string" ? JSON.stringify(v) : String(v));

export function findingRows(report: DriftReport): FindingRow[] {
  const rows: FindingRow[] = [];
  for (const d of report.drifted) {
    for (const f of d.fields)
      rows.push({ kind: "drifted", deviceId: d.deviceId, stack: d.stack, what: f.path, expected: showValue(f.expected), actual: showValue(f.actual) });
  }
  for (const m of report.missing) {
    rows.push({
      kind: "missing",
      deviceId: m.deviceId,
      stack: m.stack,
      what: m.reason,
      expected: "present",
      actual: m.reason === "terminated" ? "terminated" : "not found",
    });
  }
  for (const u of report.unmanaged) {
    const tags = Object.entries(u.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    rows.push({
      kind: "unmanaged",
      deviceId: u.deviceId,
      stack: "",
      what: u.status,
      expected: "(in no stack)",
      actual: [u.groupId ? `group ${u.groupId}` : "", tags].filter(Boolean).join("; ") || "-",
    });
  }
  return rows;
}

export function summaryLine(report: DriftReport): string {
  const s = report.summary;
  return `${s.managed} managed: ${s.inSync} in sync, ${s.drifted} drifted, ${s.missing} missing; ${s.unmanaged} unmanaged; ${s.ignored} ignored`;
}

function renderText(report: DriftReport): string {
  const rows = findingRows(report);
  const head = ["KIND", "DEVICE", "STACK", "FIELD/STATUS", "EXPECTED", "ACTUAL"];
  const cells = rows.map((r) => [r.kind, r.deviceId, r.stack || "-", r.what, r.expected, r.actual]);
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const verdict = rows.length === 0 ? "No drift." : "Drift found.";
  const calls = `API calls: ${report.apiCalls.list} list, ${report.apiCalls.get} get; ${(report.durationMs / 1000).toFixed(1)} s`;
  return [`${verdict} ${summaryLine(report)}`, ...(rows.length > 0 ? ["", line(head), ...cells.map(line)] : []), "", calls, ""].join("\n");
}

const mdCell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function renderMarkdown(report: DriftReport): string {
  const s = report.summary;
  const rows = findingRows(report);
  const out = [
    `## Sigfox drift: ${rows.length === 0 ? "in sync ✅" : "drift found ❌"}`,
    "",
    "| managed | in sync | drifted | missing | unmanaged | ignored |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${s.managed} | ${s.inSync} | ${s.drifted} | ${s.missing} | ${s.unmanaged} | ${s.ignored} |`,
  ];
  if (rows.length > 0) {
    out.push("", "| kind | device | stack | field / status | expected | actual |", "|---|---|---|---|---|---|");
    for (const r of rows)
      out.push(`| ${r.kind} | \`${r.deviceId}\` | ${mdCell(r.stack || "-")} | ${mdCell(r.what)} | ${mdCell(r.expected)} | ${mdCell(r.actual)} |`);
  }
  out.push(
    "",
    `<sub>${report.apiCalls.list} list calls, ${report.apiCalls.get} get calls, ${(report.durationMs / 1000).toFixed(1)} s · \`soracom-sigfox drift\`</sub>`,
    "",
  );
  return out.join("\n");
}

export function renderReport(report: DriftReport, format: Format): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "markdown":
      return renderMarkdown(report);
    case "html":
      return renderHtml(report, findingRows(report));
    case "text":
      return renderText(report);
  }
}
