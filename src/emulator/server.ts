/**
 * `startEmulator()`: wires clock, model, persistence, diagnostics and the HTTP server together.
 */
import { createAdaptorServer } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Clock } from "./clock";
import { EmulatorControl } from "./control-client";
import { FaultInjector } from "./control/faults";
import { RateLimiter } from "./control/rate-limiter";
import { RequestLog } from "./control/request-log";
import type { RateLimitConfig, SeedRequest } from "./control/schemas";
import { SeedRequest as SeedRequestSchema } from "./control/schemas";
import { createApp } from "./http/app";
import { EmulatorModel } from "./model";
import { seed as applySeed } from "./model/control";
import type { Operator } from "./model/state";
import { readStateFile, removeLeftoverTempFiles, writeStateFileAtomic } from "./persistence";
import { loadSeedFile } from "./seed-file";

/** The default operator every emulator starts with (override any field through `options.operator`). */
export const DEFAULT_OPERATOR = {
  operatorId: "OP0012345678",
  authKeyId: "keyId-emulator",
  authKey: "secret-emulator",
  email: "emulator@example.com",
  password: "emulator-password",
  userName: "emulator-user",
  userPassword: "emulator-user-password",
} as const;

export interface EmulatorOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Persist every change atomically to this JSON file and reload it at start. Default: memory only. */
  stateFile?: string;
  /** Seed applied at start (same shape as `POST /_emulator/seed`), or the path of a YAML/JSON seed file. */
  seed?: SeedRequest | string;
  /** Rate limits; off by default. */
  rateLimits?: RateLimitConfig;
  /** A clock to share with the test, or where the emulator clock starts. */
  clock?: Clock | { offsetMs?: number; startAt?: number | string | Date };
  /** Overrides of the default operator's identity and credentials. */
  operator?: Partial<{ operatorId: string; authKeyId: string; authKey: string; email: string; password: string; userName: string; userPassword: string }>;
  /** Where start-up notices go (one line each, never a secret). Default: stderr. */
  log?: (line: string) => void;
}

export interface EmulatorCredentials {
  authKeyId: string;
  authKey: string;
  operatorId: string;
}

export interface RunningEmulator {
  /** `http://host:port`, without `/v1` (the endpoint form SORACOM_ENDPOINT takes). */
  url: string;
  credentials: EmulatorCredentials;
  control: EmulatorControl;
  /** False when `seed` was given but not applied because the state file already existed. */
  seedApplied: boolean;
  /** The in-process model, for code that embeds the emulator (tests should prefer `control`). */
  model: EmulatorModel;
  /** Temporary state files of a killed earlier run removed at start (see `removeLeftoverTempFiles`). */
  removedTempFiles: number;
  close(): Promise<void>;
}

/**
 * The environment that points a client, the provider or the CLI at an emulator: its endpoint (or
 * `endpoint`, e.g. a proxy in front of it) and its default operator's auth key.
 */
export function emulatorClientEnv(
  emulator: Pick<RunningEmulator, "url" | "credentials">,
  endpoint: string = emulator.url,
): { SORACOM_ENDPOINT: string; SORACOM_AUTH_KEY_ID: string; SORACOM_AUTH_KEY: string } {
  return { SORACOM_ENDPOINT: endpoint, SORACOM_AUTH_KEY_ID: emulator.credentials.authKeyId, SORACOM_AUTH_KEY: emulator.credentials.authKey };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const o = { ...DEFAULT_OPERATOR, ...options.operator };
  const defaultOperator: Operator = {
    operatorId: o.operatorId,
    email: o.email,
    password: o.password,
    authKeys: [{ authKeyId: o.authKeyId, authKey: o.authKey }],
    users: [{ userName: o.userName, password: o.userPassword }],
  };
  const clock = options.clock instanceof Clock ? options.clock : new Clock(options.clock);
  const stateFile = options.stateFile;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const removedTempFiles = stateFile ? removeLeftoverTempFiles(stateFile) : 0;
  // The count only: the files held keys, tokens and PACs, and their names say nothing useful.
  if (removedTempFiles > 0) log(`[soracom-sigfox emulator] removed ${removedTempFiles} temporary state file(s) left beside ${stateFile} by an interrupted run`);
  const initial = stateFile ? readStateFile(stateFile) : undefined;
  const persist = stateFile ? (s: Parameters<typeof writeStateFileAtomic>[1]) => writeStateFileAtomic(stateFile, s) : undefined;
  const model = new EmulatorModel(clock, defaultOperator, persist, initial);

  // With an existing state file the seed is not applied again: restarting must not undo what clients
  // changed since (the seed describes the world at first start).
  const seedApplied = options.seed !== undefined && initial === undefined;
  if (seedApplied) {
    const seed = typeof options.seed === "string" ? loadSeedFile(options.seed) : SeedRequestSchema.parse(options.seed!);
    model.mutate((ctx) => applySeed(ctx, seed));
  } else {
    model.commit(); // a fresh state file exists from the first second
  }

  const rt = {
    model,
    rateLimiter: new RateLimiter(options.rateLimits),
    faults: new FaultInjector(),
    log: new RequestLog(),
  };
  const app = createApp(rt);
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    credentials: { authKeyId: o.authKeyId, authKey: o.authKey, operatorId: o.operatorId },
    control: new EmulatorControl(url),
    seedApplied,
    model,
    removedTempFiles,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open for seconds.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
