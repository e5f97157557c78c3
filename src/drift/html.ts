/**
 * The HTML report: one self-contained page (inline CSS and script, no network), with the summary
 * and a table of findings filtered by kind and by text. Element ids (`summary-<name>`, `findings`,
 * `filter`, `kind`, `shown`) are stable: tests and users' scripts read them.
 */
import type { FindingRow } from "./render";
import type { DriftReport } from "./report";

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const SCRIPT = `
const filter = document.getElementById("filter");
const kind = document.getElementById("kind");
const rows = Array.from(document.querySelectorAll("#findings tbody tr"));
function apply() {
  const text = filter.value.trim().toLowerCase();
  let shown = 0;
  for (const row of rows) {
    const visible = (kind.value === "" || row.dataset.kind === kind.value) && (text === "" || row.textContent.toLowerCase().includes(text));
    row.hidden = !visible;
    if (visible) shown++;
  }
  document.getElementById("shown").textContent = String(shown);
}
filter.addEventListener("input", apply);
kind.addEventListener("change", apply);
apply();
`;

export function renderHtml(report: DriftReport, rows: FindingRow[]): string {
  const s = report.summary;
  const card = (name: keyof typeof s, label: string) =>
    `<div class="card ${name}"><span class="n" id="summary-${name}">${s[name]}</span><span>${label}</span></div>`;
  const body = rows
    .map(
      (r) =>
        `<tr data-kind="${r.kind}"><td class="k ${r.kind}">${r.kind}</td><td><code>${escapeHtml(r.deviceId)}</code></td><td>${escapeHtml(r.stack || "-")}</td>` +
        `<td>${escapeHtml(r.what)}</td><td>${escapeHtml(r.expected)}</td><td>${escapeHtml(r.actual)}</td></tr>`,
    )
    .join("\n");
  const verdict = rows.length === 0 ? "In sync" : "Drift found";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Sigfox drift: ${verdict}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;min-width:7em}
.card .n{display:block;font-size:1.8em;font-weight:600}.drifted .n,.k.drifted{color:#b35c00}.missing .n,.k.missing{color:#b00020}.unmanaged .n,.k.unmanaged{color:#5a3fb0}
table{border-collapse:collapse;margin-top:1em;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
.controls{margin-top:1.5em;display:flex;gap:1em;align-items:center}
</style></head>
<body>
<h1 id="verdict">Sigfox drift: ${verdict}</h1>
<div class="cards">
${card("managed", "managed")}${card("inSync", "in sync")}${card("drifted", "drifted")}${card("missing", "missing")}${card("unmanaged", "unmanaged")}${card("ignored", "ignored")}
</div>
<p>API calls: <span id="calls-list">${report.apiCalls.list}</span> list, <span id="calls-get">${report.apiCalls.get}</span> get; ${(report.durationMs / 1000).toFixed(1)} s.</p>
<div class="controls">
<label>Kind <select id="kind"><option value="">all</option><option value="drifted">drifted</option><option value="missing">missing</option><option value="unmanaged">unmanaged</option></select></label>
<label>Filter <input id="filter" type="search" placeholder="device, stack, tag..."></label>
<span><span id="shown">${rows.length}</span> of ${rows.length} findings shown</span>
</div>
<table id="findings"><thead><tr><th>kind</th><th>device</th><th>stack</th><th>field / status</th><th>expected</th><th>actual</th></tr></thead>
<tbody>
${body}
</tbody></table>
<script>${SCRIPT}</script>
</body></html>
`;
}
