/**
 * `soracom-sigfox downlink send --data HEX`: queue one 8-byte downlink to every target device. A dry
 * run unless `--yes`. Each device is sent to at most once (see src/dataplane/downlink.ts).
 */
import type { Command } from "../command";
import {
  CLIENT_HELP,
  CLIENT_OPTIONS,
  clientFor,
  MAX_CONCURRENCY,
  oneOf,
  parseCommandFlags,
  parseConcurrency,
  singleSubcommand,
  targetDeviceIds,
  usageError,
  UsageError,
  type DataplaneIo,
} from "../dataplane-io";
import { DOWNLINK_DATA_PATTERN } from "../../api/formats";
import { downlinkExitCode, sendDownlinks, type DownlinkResult } from "../../dataplane/downlink";
import { parseTargetFlags, TARGET_HELP, TARGET_OPTIONS, TargetUsageError, type DeviceTargets } from "../../dataplane/targets";

const NAME = "soracom-sigfox downlink send";
const DEFAULT_CONCURRENCY = 4;

const HELP = `Usage: soracom-sigfox downlink send --data HEX [selection] [--yes] [options]

Queues a downlink message for every selected device: the device receives it with the answer to its
next uplink. A newer message replaces a device's pending one. Without --yes nothing is sent: the
command prints the devices and the message it would send.

  --data HEX          the message: exactly 8 bytes as 16 hexadecimal characters (e.g. 0102030405060708)
  --yes               send (default: dry run)

${TARGET_HELP}

Options:
  --format text|json  one line per device and a summary (default), or one JSON document
  --concurrency N     devices sent to at once, 1..${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
  --profile NAME      soracom-cli profile to use
  -h, --help          show this help

Outcomes per device: accepted (queued), failed (refused: nothing queued), unknown (the connection
broke after the request may have arrived: it may be queued). An unknown device is never re-sent
automatically: check it, then resend with --devices ID,... if you want to.
${CLIENT_HELP}

Exit codes: 0 dry run, or every device accepted the message; 1 some device refused it (none unknown)
or the account could not be listed; 2 bad usage (nothing sent); 3 some device's outcome is unknown;
130 interrupted (devices not reached are listed as not sent).
`;

const OPTIONS = {
  ...TARGET_OPTIONS,
  ...CLIENT_OPTIONS,
  data: { type: "string" },
  yes: { type: "boolean" },
  format: { type: "string" },
  concurrency: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs `downlink send` (args after `downlink send`); `io` is injectable for tests. */
export async function downlinkSend(args: string[], io: DataplaneIo): Promise<number> {
  const usage = (message: string): number => usageError(io, NAME, message);
  const values = parseCommandFlags(NAME, HELP, OPTIONS, args, io);
  if (typeof values === "number") return values;
  if (values.data === undefined) return usage("--data is required: the message as 16 hexadecimal characters (8 bytes), e.g. --data 0102030405060708");
  if (!DOWNLINK_DATA_PATTERN.test(values.data)) {
    const length = values.data.length;
    const why = /^[0-9A-Fa-f]*$/.test(values.data) ? `${length} hexadecimal characters` : "not hexadecimal";
    return usage(`--data ${JSON.stringify(values.data)} is ${why}: a Sigfox downlink is exactly 8 bytes, 16 hexadecimal characters (e.g. 0102030405060708)`);
  }
  let targets: DeviceTargets;
  let concurrency: number;
  let format: "text" | "json";
  try {
    format = oneOf("format", values.format, ["text", "json"] as const, "text");
    concurrency = parseConcurrency(values.concurrency, DEFAULT_CONCURRENCY);
    targets = parseTargetFlags(values);
  } catch (error) {
    if (error instanceof TargetUsageError || error instanceof UsageError) return usage(error.message);
    throw error;
  }

  const data = values.data.toLowerCase();
  const client = clientFor(io, values.profile);
  const deviceIds = await targetDeviceIds(NAME, targets, client, io);
  if (typeof deviceIds === "number") return deviceIds;

  if (values.yes !== true) {
    if (format === "json") {
      io.stdout(
        `${JSON.stringify({ dryRun: true, data, devices: deviceIds.map((deviceId) => ({ deviceId, outcome: "would-send" })), summary: { devices: deviceIds.length } }, null, 2)}\n`,
      );
    } else {
      for (const id of deviceIds) io.stdout(`${id}  would send ${data}\n`);
      io.stdout(`dry run: ${deviceIds.length} device${deviceIds.length === 1 ? "" : "s"} would get ${data}; nothing was sent. Add --yes to send.\n`);
    }
    return 0;
  }

  const text = format === "text";
  const results = await sendDownlinks(client, deviceIds, data, {
    concurrency,
    ...(io.signal ? { signal: io.signal } : {}),
    onResult: (r) => text && io.stdout(`${resultLine(r)}\n`),
  });
  const reached = new Set(results.map((r) => r.deviceId));
  const notSent = deviceIds.filter((id) => !reached.has(id));
  const count = (outcome: DownlinkResult["outcome"]) => results.filter((r) => r.outcome === outcome).length;
  const summary = { devices: deviceIds.length, accepted: count("accepted"), failed: count("failed"), unknown: count("unknown"), notSent: notSent.length };
  if (text) {
    for (const id of notSent) io.stdout(`${id}  not sent (interrupted)\n`);
    io.stdout(
      `sent ${data}: ${summary.accepted} accepted, ${summary.failed} failed, ${summary.unknown} unknown${notSent.length > 0 ? `, ${notSent.length} not sent` : ""} of ${summary.devices} devices\n`,
    );
    if (summary.unknown > 0)
      io.stderr(
        `${NAME}: the outcome is unknown for ${results
          .filter((r) => r.outcome === "unknown")
          .map((r) => r.deviceId)
          .join(",")}: not re-sent; resend with --devices if needed\n`,
      );
  } else {
    io.stdout(
      `${JSON.stringify({ dryRun: false, data, devices: [...results, ...notSent.map((deviceId) => ({ deviceId, outcome: "not-sent" }))], summary }, null, 2)}\n`,
    );
  }
  if (notSent.length > 0 || io.signal?.aborted === true) return 130;
  return downlinkExitCode(results);
}

function resultLine(r: DownlinkResult): string {
  return r.outcome === "accepted" ? `${r.deviceId}  accepted` : `${r.deviceId}  ${r.outcome} (${r.code}): ${r.message}`;
}

export const downlinkCommand: Command = singleSubcommand(
  "downlink",
  "send",
  "downlink send: queue an 8-byte downlink for selected devices (dry run unless --yes)",
  downlinkSend,
);
