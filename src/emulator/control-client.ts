/**
 * `EmulatorControl`: a typed HTTP client of the control plane, usable against an emulator in this
 * process or one started with `soracom-sigfox emulator` elsewhere.
 */
import type { ApiOperation, ApiSigfoxDevice, DataEntry } from "../api/schemas";
import type { ActiveFault } from "./control/faults";
import type { RequestLogEntry } from "./control/request-log";
import type { DevicePatch, FaultRequest, RateLimitConfig, SeedRequest, UplinkRequest } from "./control/schemas";
import type { SeedResult } from "./model/control";
import type { StateDump } from "./http/state-dump";

export class EmulatorControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "EmulatorControlError";
  }
}

export interface UplinkResponse {
  device: ApiSigfoxDevice;
  dataEntry: DataEntry;
  deliveredDownlink: string | null;
}

export interface ClockSnapshot {
  now: string;
  nowMs: number;
  offsetMs: number;
}

export class EmulatorControl {
  private readonly base: string;

  /** `url`: the emulator's endpoint (`http://host:port`, a trailing `/v1` is tolerated). */
  constructor(url: string) {
    this.base = `${url.replace(/\/+$/, "").replace(/\/v1$/, "")}/_emulator`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { "content-type": "application/json" };
    }
    const res = await fetch(this.base + path, init);
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const err = (parsed ?? {}) as { code?: string; message?: string };
      throw new EmulatorControlError(res.status, err.code, `${method} ${path}: ${res.status} ${err.message ?? ""}`.trim());
    }
    return parsed as T;
  }

  health(): Promise<{ ok: boolean }> {
    return this.call("GET", "/health");
  }
  /** Empty state; the default operator stays. Also clears faults, the request log and rate-limit windows. */
  async reset(): Promise<void> {
    await this.call("POST", "/reset");
  }
  seed(seed: SeedRequest): Promise<SeedResult> {
    return this.call("POST", "/seed", seed);
  }
  state(): Promise<StateDump> {
    return this.call("GET", "/state");
  }
  clock(): Promise<ClockSnapshot> {
    return this.call("GET", "/clock");
  }
  advanceClock(seconds: number): Promise<ClockSnapshot> {
    return this.call("POST", "/clock/advance", { seconds });
  }
  uplink(deviceId: string, message: UplinkRequest = {}): Promise<UplinkResponse> {
    return this.call("POST", `/devices/${encodeURIComponent(deviceId)}/uplink`, message);
  }
  mutateDevice(deviceId: string, patch: DevicePatch): Promise<ApiSigfoxDevice> {
    return this.call("PATCH", `/devices/${encodeURIComponent(deviceId)}`, patch);
  }
  /** The device leaves its account out of band (back to the network registry, PAC unchanged); `forget` removes it from the network too. */
  removeDevice(deviceId: string, options: { forget?: boolean } = {}): Promise<{ deviceId: string; pac: string | null }> {
    return this.call("DELETE", `/devices/${encodeURIComponent(deviceId)}${options.forget ? "?forget=true" : ""}`);
  }
  injectFault(fault: FaultRequest): Promise<ActiveFault> {
    return this.call("POST", "/faults", fault);
  }
  faults(): Promise<ActiveFault[]> {
    return this.call("GET", "/faults");
  }
  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/faults");
  }
  requests(): Promise<RequestLogEntry[]> {
    return this.call("GET", "/requests");
  }
  /** Clears the request log and the call counts. */
  async clearRequests(): Promise<void> {
    await this.call("DELETE", "/requests");
  }
  calls(): Promise<Partial<Record<ApiOperation, number>>> {
    return this.call("GET", "/calls");
  }
  setRateLimits(config: RateLimitConfig): Promise<RateLimitConfig & { limitPerMinute: number }> {
    return this.call("PUT", "/rate-limits", config);
  }
  rateLimits(): Promise<RateLimitConfig & { limitPerMinute: number }> {
    return this.call("GET", "/rate-limits");
  }
}
