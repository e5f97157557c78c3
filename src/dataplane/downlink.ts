/**
 * `downlink send`: queue one 8-byte downlink to each target device, each sent at most once.
 *
 * The outcome of each device is one of:
 * - `accepted`: the API answered 202; the message waits for the device's next uplink.
 * - `failed`: the API refused it (not_found, a 4xx, 429 after the client's bounded waits, a 5xx that
 *   the client could safely retry and that kept failing before anything was sent): nothing was queued.
 * - `unknown`: the request may have reached the server but no answer came (connection dropped, timeout,
 *   5xx): the message may or may not be queued.
 *
 * An `unknown` device is never re-sent by this command. The client refuses to replay
 * `sendDataToSigfoxDevice`, and so do we: although re-sending the *same* bytes would only replace the
 * pending message with an identical one, the API offers no read of the pending downlink, so a
 * retry could not be reconciled either, and a retry sent after the device's next uplink consumed the
 * first copy would deliver the message twice (a configuration command applied twice, a counter reset
 * twice). Whether to resend is the operator's call: the command reports those devices, exits 3, and
 * `--devices` with their IDs resends to exactly them.
 */
import { isSoracomApiError, type CallOptions } from "../client";
import { forEachBounded } from "./pool";

export type DownlinkOutcome = "accepted" | "failed" | "unknown";

export interface DownlinkResult {
  deviceId: string;
  outcome: DownlinkOutcome;
  /** The client's error code, when not accepted. */
  code?: string;
  message?: string;
}

/** The part of the client the command needs. */
export interface DownlinkSender {
  sendDataToSigfoxDevice(deviceId: string, hexData: string, opts?: CallOptions): Promise<void>;
}

/** Sends to each device once; `onResult` is called as each device's outcome is known. */
export async function sendDownlinks(
  sender: DownlinkSender,
  deviceIds: readonly string[],
  hexData: string,
  options: { concurrency: number; signal?: AbortSignal; onResult?: (result: DownlinkResult) => void },
): Promise<DownlinkResult[]> {
  const results = new Map<string, DownlinkResult>();
  await forEachBounded(
    deviceIds,
    options.concurrency,
    async (deviceId) => {
      let result: DownlinkResult;
      try {
        await sender.sendDataToSigfoxDevice(deviceId, hexData, options.signal ? { signal: options.signal } : {});
        result = { deviceId, outcome: "accepted" };
      } catch (error) {
        const unknown = isSoracomApiError(error) ? error.outcomeUnknown : true;
        result = {
          deviceId,
          outcome: unknown ? "unknown" : "failed",
          code: isSoracomApiError(error) ? error.code : "error",
          message: error instanceof Error ? error.message : String(error),
        };
      }
      results.set(deviceId, result);
      options.onResult?.(result);
    },
    options.signal,
  );
  // In target order, whatever order the answers came in.
  return deviceIds.flatMap((id) => results.get(id) ?? []);
}

/** Exit code of `downlink send --yes`: 0 every device accepted, 3 some outcome unknown, else 1. */
export function downlinkExitCode(results: readonly DownlinkResult[]): 0 | 1 | 3 {
  if (results.some((r) => r.outcome === "unknown")) return 3;
  return results.every((r) => r.outcome === "accepted") ? 0 : 1;
}
