/**
 * Typed errors of the emulator. The model throws these; `http/error-mapper.ts` is the one place that
 * turns them (and anything else) into an HTTP response with the real `{code, message}` body.
 *
 * The real API documents almost none of its error codes for Sigfox operations. The codes below keep the
 * real shape (3-letter component prefix + 4 digits: `AUM` auth, `COM` common) and use `SFX` for the
 * Sigfox component and `EMU` for the emulator's own control plane. Every invented code is listed in
 * docs/emulator.md; only `400 PAC code is missing` is documented by Soracom.
 */
export const ERRORS = {
  // common
  badRequest: { status: 400, code: "COM0001", message: "Invalid request" },
  noSuchPath: { status: 404, code: "COM0002", message: "No such API" },
  rateLimited: { status: 429, code: "COM0003", message: "Rate limit exceeded. Wait until the rate limit window refreshes." },
  injectedServerError: { status: 500, code: "COM0004", message: "Internal server error (injected fault)" },
  internal: { status: 500, code: "COM0005", message: "Internal server error" },
  payloadTooLarge: { status: 413, code: "COM0006", message: "Request body is too large" },
  // auth
  tokenRequired: { status: 401, code: "AUM0001", message: "Token is required. Authenticate with POST /v1/auth first." },
  invalidCredentials: { status: 401, code: "AUM0002", message: "Invalid credentials" },
  authRequestInvalid: { status: 400, code: "AUM0003", message: "Authentication request must contain authKeyId/authKey, email/password or operatorId/userName/password" },
  invalidToken: { status: 401, code: "AUM0004", message: "Invalid API key or token" },
  tokenExpired: { status: 401, code: "AUM0005", message: "Token has expired. Authenticate again." },
  // sigfox
  pacMissing: { status: 400, code: "SFX0001", message: "PAC code is missing" },
  pacInvalid: { status: 400, code: "SFX0002", message: "Invalid PAC code for the device" },
  deviceNotFound: { status: 404, code: "SFX0003", message: "The specified Sigfox device does not exist" },
  alreadyRegistered: { status: 409, code: "SFX0004", message: "The Sigfox device is already registered to this operator" },
  ownedByAnotherOperator: { status: 409, code: "SFX0005", message: "The Sigfox device is registered to another operator" },
  deviceTerminated: { status: 409, code: "SFX0006", message: "The Sigfox device is terminated" },
  terminationDisabled: { status: 400, code: "SFX0007", message: "Termination of the Sigfox device is disabled. Call enable_termination first." },
  tagNotFound: { status: 404, code: "SFX0008", message: "The specified tag does not exist" },
  invalidDownlinkData: { status: 400, code: "SFX0009", message: "data must be 8 bytes encoded as 16 hexadecimal characters" },
  groupNotFound: { status: 404, code: "SFX0010", message: "The specified group does not exist" },
  invalidQuery: { status: 400, code: "SFX0011", message: "Invalid query parameter" },
  invalidGroupId: { status: 400, code: "SFX0012", message: "groupId is missing or is not a valid group ID" },
  // control plane
  controlNotFound: { status: 404, code: "EMU0001", message: "No such device in the emulator" },
  controlConflict: { status: 409, code: "EMU0002", message: "The request conflicts with the emulator state" },
  controlBadRequest: { status: 400, code: "EMU0003", message: "Invalid control-plane request" },
} as const satisfies Record<string, { status: number; code: string; message: string }>;

export type ErrorKind = keyof typeof ERRORS;

/**
 * Messages for `X-Soracom-Lang: ja` (the real API answers in Japanese then). Only the default messages
 * are translated; a specific detail (which parameter was wrong) stays English.
 */
export const MESSAGES_JA: Record<ErrorKind, string> = {
  badRequest: "リクエストが不正です",
  noSuchPath: "指定された API は存在しません",
  rateLimited: "API 呼び出しのレート制限を超えました。しばらく待ってから再実行してください。",
  injectedServerError: "内部サーバーエラーが発生しました (注入された障害)",
  internal: "内部サーバーエラーが発生しました",
  payloadTooLarge: "リクエストボディが大きすぎます",
  tokenRequired: "トークンが必要です。先に POST /v1/auth で認証してください。",
  invalidCredentials: "認証情報が正しくありません",
  authRequestInvalid: "認証リクエストには authKeyId/authKey、email/password、operatorId/userName/password のいずれかが必要です",
  invalidToken: "API キーまたはトークンが正しくありません",
  tokenExpired: "トークンの有効期限が切れています。再度認証してください。",
  pacMissing: "PAC コードが指定されていません",
  pacInvalid: "デバイスの PAC コードが正しくありません",
  deviceNotFound: "指定された Sigfox デバイスは存在しません",
  alreadyRegistered: "この Sigfox デバイスはすでにこのオペレーターに登録されています",
  ownedByAnotherOperator: "この Sigfox デバイスは別のオペレーターに登録されています",
  deviceTerminated: "この Sigfox デバイスは解約済みです",
  terminationDisabled: "この Sigfox デバイスの解約は無効になっています。先に enable_termination を呼び出してください。",
  tagNotFound: "指定されたタグは存在しません",
  invalidDownlinkData: "data は 8 バイトを 16 文字の 16 進数で指定してください",
  groupNotFound: "指定されたグループは存在しません",
  invalidQuery: "クエリパラメーターが不正です",
  invalidGroupId: "groupId が指定されていないか、正しいグループ ID ではありません",
  controlNotFound: "エミュレーターにそのデバイスはありません",
  controlConflict: "リクエストがエミュレーターの状態と矛盾しています",
  controlBadRequest: "コントロールプレーンへのリクエストが不正です",
};

export class EmulatorError extends Error {
  readonly status: number;
  readonly code: string;
  readonly kind: ErrorKind;
  readonly detail: string | undefined;

  /** `detail` replaces the default message; it must never contain a secret (PAC, key, token). */
  constructor(kind: ErrorKind, detail?: string, status?: number) {
    const def = ERRORS[kind];
    super(detail ?? def.message);
    this.name = "EmulatorError";
    this.kind = kind;
    this.detail = detail;
    this.code = def.code;
    this.status = status ?? def.status;
  }
}

export function fail(kind: ErrorKind, detail?: string): never {
  throw new EmulatorError(kind, detail);
}
