/**
 * The request policy as a table: outcome of one attempt + counters so far → the next step. No HTTP, no
 * clock: each row is the whole story of one decision the request loop in client.ts acts on.
 */
import { describe, expect, it } from "vitest";
import { advance, FIRST_ATTEMPT, nextStep, type AttemptOutcome, type AttemptState, type NextStep, type PolicyContext } from "../../src/client/policy";
import type { HttpResult } from "../../src/client/transport";

const RETRY = { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 10_000, maxRateLimitRetries: 5, maxRateLimitWaitMs: 60_000 };
const NOW = Date.parse("2026-01-01T00:00:00Z");

function ctx(over: Partial<PolicyContext> = {}): PolicyContext {
  return {
    operation: "getSigfoxDevice",
    summary: "GET /v1/sigfox_devices/1A2B",
    attempts: 1,
    authenticated: true,
    credentialKind: "authKey",
    retry: RETRY,
    retryBudgetAvailable: true,
    now: NOW,
    // the ceiling of every jitter, so delays are exact
    random: () => 0.5,
    ...over,
  };
}

function http(status: number, headers: HttpResult["headers"] = {}, text = ""): AttemptOutcome {
  return { kind: "response", response: { status, headers, text, bytesReceived: text.length } };
}
function dropped(kind: "connect" | "sent", timeout = false): AttemptOutcome {
  return { kind: "transport", failure: { kind, timeout, detail: timeout ? "UND_ERR_HEADERS_TIMEOUT" : "ECONNRESET" }, cause: new Error("x") };
}
const state = (over: Partial<AttemptState> = {}): AttemptState => ({ ...FIRST_ATTEMPT, ...over });
const soracomBody = JSON.stringify({ code: "SEM0001", message: "busy" });

interface Row {
  name: string;
  outcome: AttemptOutcome;
  state?: AttemptState;
  ctx?: Partial<PolicyContext>;
  expected: NextStep | { kind: "fail"; failure: Record<string, unknown>; blockBucketMs?: number };
}

const rows: Row[] = [
  { name: "2xx is done", outcome: http(200, {}, "{}"), expected: { kind: "done" } },
  { name: "204 is done", outcome: http(204), expected: { kind: "done" } },

  // transport errors
  { name: "connect failure of a replayable call: backoff retry", outcome: dropped("connect"), expected: { kind: "retry", delayMs: 100 } },
  {
    name: "connect failure of register: retried (nothing was sent)",
    outcome: dropped("connect"),
    ctx: { operation: "registerSigfoxDevice" },
    expected: { kind: "retry", delayMs: 100 },
  },
  { name: "third retry doubles the ceiling twice", outcome: dropped("sent"), state: state({ transientRetries: 2 }), expected: { kind: "retry", delayMs: 400 } },
  {
    name: "dropped after sending register: fail, outcome unknown, not replayed",
    outcome: dropped("sent"),
    ctx: { operation: "registerSigfoxDevice", summary: "POST /v1/sigfox_devices/1A2B/register" },
    expected: {
      kind: "fail",
      failure: {
        code: "network",
        retryable: false,
        outcomeUnknown: true,
        message:
          "registerSigfoxDevice: network error (ECONNRESET) on POST /v1/sigfox_devices/1A2B/register after 1 attempt(s); the request may have reached the server and was not replayed: check the device with getSigfoxDevice",
      },
    },
  },
  {
    name: "timeout after the retries are spent: a retryable timeout error",
    outcome: dropped("sent", true),
    state: state({ transientRetries: 3 }),
    ctx: { attempts: 4 },
    expected: {
      kind: "fail",
      failure: {
        code: "timeout",
        retryable: true,
        outcomeUnknown: false,
        message: "getSigfoxDevice: timed out (UND_ERR_HEADERS_TIMEOUT) on GET /v1/sigfox_devices/1A2B after 4 attempt(s)",
      },
    },
  },
  {
    name: "empty process-wide retry budget: fail at once",
    outcome: dropped("connect"),
    ctx: { retryBudgetAvailable: false },
    expected: { kind: "fail", failure: { code: "network", retryable: true, outcomeUnknown: false } },
  },

  // 401
  { name: "401 with renewable credentials: re-authenticate", outcome: http(401), expected: { kind: "reauthenticate" } },
  {
    name: "401 of register: re-authenticate too (decided before the operation ran)",
    outcome: http(401),
    ctx: { operation: "registerSigfoxDevice" },
    expected: { kind: "reauthenticate" },
  },
  {
    name: "second 401: fail, rejected again",
    outcome: http(401),
    state: state({ reauthenticated: true }),
    ctx: { attempts: 2 },
    expected: {
      kind: "fail",
      failure: {
        code: "auth",
        status: 401,
        retryable: false,
        message: "getSigfoxDevice: HTTP 401 (GET /v1/sigfox_devices/1A2B); rejected again after re-authentication",
      },
    },
  },
  {
    name: "401 with a pre-issued token: fail, cannot be renewed",
    outcome: http(401),
    ctx: { credentialKind: "token" },
    expected: {
      kind: "fail",
      failure: {
        code: "auth",
        status: 401,
        message: "getSigfoxDevice: HTTP 401 (GET /v1/sigfox_devices/1A2B); the pre-issued API key/token was rejected and cannot be renewed",
      },
    },
  },
  {
    name: "400 of /auth: bad credentials",
    outcome: http(400, {}, JSON.stringify({ code: "AUM0001", message: "no" })),
    ctx: { operation: "auth", summary: "POST /v1/auth", authenticated: false },
    expected: {
      kind: "fail",
      failure: {
        code: "auth",
        status: 400,
        soracomCode: "AUM0001",
        soracomMessage: "no",
        message: "auth: HTTP 400 AUM0001: no (POST /v1/auth); check the credentials",
      },
    },
  },

  // 429
  {
    name: "429 with Retry-After seconds: the bucket waits that long",
    outcome: http(429, { "retry-after": "2" }),
    expected: { kind: "wait", blockBucketMs: 2000 },
  },
  {
    name: "429 with Retry-After as a date",
    outcome: http(429, { "retry-after": new Date(NOW + 3000).toUTCString() }),
    expected: { kind: "wait", blockBucketMs: 3000 },
  },
  {
    name: "429 with only the window's refresh header",
    outcome: http(429, { "x-soracom-ratelimit-seconds-before-refresh": "7" }),
    expected: { kind: "wait", blockBucketMs: 7000 },
  },
  { name: "429 without hints: at least one second", outcome: http(429), expected: { kind: "wait", blockBucketMs: 1000 } },
  { name: "429 hint above the cap: capped", outcome: http(429, { "retry-after": "600" }), expected: { kind: "wait", blockBucketMs: 60_000 } },
  {
    name: "429 of register: waits too (the server refused before running it), and never spends the retry budget",
    outcome: http(429, { "retry-after": "1" }),
    ctx: { operation: "registerSigfoxDevice", retryBudgetAvailable: false },
    expected: { kind: "wait", blockBucketMs: 1000 },
  },
  {
    name: "429 after the last wait: rate_limited, the bucket still blocked",
    outcome: http(429, { "retry-after": "1" }),
    state: state({ rateLimitRetries: 5 }),
    expected: {
      kind: "fail",
      blockBucketMs: 1000,
      failure: {
        code: "rate_limited",
        status: 429,
        retryable: true,
        message: "getSigfoxDevice: HTTP 429 (GET /v1/sigfox_devices/1A2B); gave up after 5 wait(s)",
      },
    },
  },

  // 5xx
  { name: "503 of a replayable call: backoff retry", outcome: http(503), expected: { kind: "retry", delayMs: 100 } },
  { name: "503 with Retry-After: that delay", outcome: http(503, { "retry-after": "1.5" }), expected: { kind: "retry", delayMs: 1500 } },
  {
    name: "500 of terminate: fail, reached the server, not replayed",
    outcome: http(500, {}, soracomBody),
    ctx: { operation: "terminateSigfoxDevice", summary: "POST /v1/sigfox_devices/1A2B/terminate" },
    expected: {
      kind: "fail",
      failure: {
        code: "http",
        status: 500,
        soracomCode: "SEM0001",
        soracomMessage: "busy",
        retryable: false,
        outcomeUnknown: true,
        message:
          "terminateSigfoxDevice: HTTP 500 SEM0001: busy (POST /v1/sigfox_devices/1A2B/terminate) after 1 attempt(s); the request reached the server and was not replayed: check the device with getSigfoxDevice",
      },
    },
  },
  {
    name: "502 after the retries are spent: retryable http error",
    outcome: http(502),
    state: state({ transientRetries: 3 }),
    ctx: { attempts: 4 },
    expected: {
      kind: "fail",
      failure: {
        code: "http",
        status: 502,
        retryable: true,
        outcomeUnknown: false,
        message: "getSigfoxDevice: HTTP 502 (GET /v1/sigfox_devices/1A2B) after 4 attempt(s)",
      },
    },
  },

  // other statuses
  {
    name: "404: not_found",
    outcome: http(404),
    expected: {
      kind: "fail",
      failure: { code: "not_found", status: 404, retryable: false, message: "getSigfoxDevice: HTTP 404 (GET /v1/sigfox_devices/1A2B)" },
    },
  },
  { name: "409: conflict", outcome: http(409), expected: { kind: "fail", failure: { code: "conflict", status: 409 } } },
  { name: "400: validation", outcome: http(400), expected: { kind: "fail", failure: { code: "validation", status: 400 } } },
  {
    name: "403 of an operation: auth, no hint",
    outcome: http(403),
    expected: { kind: "fail", failure: { code: "auth", status: 403, message: "getSigfoxDevice: HTTP 403 (GET /v1/sigfox_devices/1A2B)" } },
  },
];

describe("request policy: outcome → next step", () => {
  it.each(rows)("$name", ({ outcome, state: s, ctx: c, expected }) => {
    const step = nextStep(outcome, s ?? FIRST_ATTEMPT, ctx(c));
    if (expected.kind === "fail") {
      expect(step.kind).toBe("fail");
      expect(step).toMatchObject(expected);
      if (expected.blockBucketMs === undefined) expect(step).not.toHaveProperty("blockBucketMs");
    } else {
      expect(step).toEqual(expected);
    }
  });

  it("keeps the cause of a transport failure on the error", () => {
    const outcome = dropped("sent");
    const step = nextStep(outcome, FIRST_ATTEMPT, ctx({ operation: "sendDataToSigfoxDevice" }));
    expect(step.kind === "fail" && step.failure.cause).toBe((outcome as Extract<AttemptOutcome, { kind: "transport" }>).cause);
  });
});

describe("request policy: counters", () => {
  it("counts retries, waits and the one re-authentication; done and fail change nothing", () => {
    let s = FIRST_ATTEMPT;
    s = advance(s, { kind: "retry", delayMs: 1 });
    s = advance(s, { kind: "wait", blockBucketMs: 1 });
    s = advance(s, { kind: "wait", blockBucketMs: 1 });
    s = advance(s, { kind: "reauthenticate" });
    expect(s).toEqual({ transientRetries: 1, rateLimitRetries: 2, reauthenticated: true });
    expect(advance(s, { kind: "done" })).toBe(s);
    expect(advance(s, { kind: "fail", failure: { code: "http", message: "x" } })).toBe(s);
    expect(FIRST_ATTEMPT).toEqual({ transientRetries: 0, rateLimitRetries: 0, reauthenticated: false });
  });

  it("a run of 503s ends in failure after maxRetries retries", () => {
    let s = FIRST_ATTEMPT;
    const steps: string[] = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      const step = nextStep(http(503), s, ctx({ attempts: attempt }));
      steps.push(step.kind);
      if (step.kind === "fail") break;
      s = advance(s, step);
    }
    expect(steps).toEqual(["retry", "retry", "retry", "fail"]);
  });
});
