/**
 * Turns the engine's event stream into what a person watching `npm start` wants: one line per device
 * as its step finishes, and a live counter on a terminal while the engine works.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { SIGFOX_DEVICE_TYPE as DEVICE_TYPE } from "../provider/type-token";

export interface Progress {
  onEvent(event: EngineEvent): void;
  /** Stops the live counter; returns how many device steps finished, by operation. */
  finish(): Record<string, number>;
}

export function createProgress(label: string, out: NodeJS.WriteStream = process.stdout): Progress {
  const started = Date.now();
  const pending = new Map<string, string>();
  const done: Record<string, number> = {};
  const live = out.isTTY === true;
  const ticker = live
    ? setInterval(() => {
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        out.write(`\r  ${label}: ${Object.values(done).reduce((a, b) => a + b, 0)} done, ${pending.size} in progress (${seconds}s) `);
      }, 250)
    : undefined;

  const print = (line: string) => out.write(`${live ? "\r\x1b[K" : ""}  ${line}\n`);

  return {
    onEvent(event) {
      const pre = event.resourcePreEvent?.metadata;
      if (pre && pre.type === DEVICE_TYPE && pre.op !== "same") {
        pending.set(pre.urn, pre.op);
      }
      const outputs = event.resOutputsEvent?.metadata;
      if (outputs && outputs.type === DEVICE_TYPE && outputs.op !== "same") {
        pending.delete(outputs.urn);
        done[outputs.op] = (done[outputs.op] ?? 0) + 1;
        // A refresh reads every device; only the steps that change something are worth a line.
        if (outputs.op !== "refresh") print(`${opVerb(outputs.op)} ${deviceName(outputs.urn)}`);
      }
      const failed = event.resOpFailedEvent?.metadata;
      if (failed && failed.type === DEVICE_TYPE) {
        pending.delete(failed.urn);
        print(`FAILED ${failed.op} ${deviceName(failed.urn)}`);
      }
      const diag = event.diagnosticEvent;
      if (diag && (diag.severity === "error" || diag.severity === "warning") && !diag.ephemeral) {
        print(`${diag.severity}: ${diag.message.trim()}`);
      }
    },
    finish() {
      if (ticker) {
        clearInterval(ticker);
        out.write("\r\x1b[K");
      }
      return done;
    },
  };
}

function deviceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function opVerb(op: string): string {
  switch (op) {
    case "create":
      return "registered  ";
    case "update":
      return "updated     ";
    case "delete":
      return "terminated  ";
    case "replace":
    case "create-replacement":
      return "replaced    ";
    default:
      return `${op.padEnd(12)}`;
  }
}
