/**
 * `SigfoxDevice`: one Soracom Air for Sigfox device, as a Pulumi dynamic resource.
 *
 * The CRUD logic runs in the provider process (`src/provider/`); this class only declares the inputs
 * and outputs and hands the engine the tiny serialized shim. Reference: docs/provider.md.
 */
import * as pulumi from "@pulumi/pulumi";
import { PAC_PATTERN } from "../api/formats";
import { INPUT_NAMES } from "../provider/sigfox-device";
import { sigfoxDeviceShim } from "../provider/shim";
import { SIGFOX_DEVICE_MODULE, SIGFOX_DEVICE_TYPE_NAME } from "../provider/type-token";
import { leanStackCapture } from "./stack-capture";

/** Inputs of a {@link SigfoxDevice}. */
export interface SigfoxDeviceArgs {
  /**
   * The Sigfox device ID: 1 to 8 hexadecimal digits (a 32-bit ID, often written without leading
   * zeros), e.g. `"1A2B3C4D"`. It is the resource's ID. Changing it replaces the resource: the old
   * device is terminated first (which needs `terminationEnabled: true`), then the new one registered.
   */
  deviceId: pulumi.Input<string>;
  /**
   * The device's PAC (Porting Authorization Code): exactly 16 hexadecimal characters, one-time,
   * used only to register the device. Always stored as a secret, and an input only: it is never an
   * output (the API never reports it). Changing it on an existing device is no change at all (no
   * update, no API call); a later registration (e.g. after the device was deleted out of band and a
   * refresh dropped it) uses the program's value at that time.
   *
   * Optional: without it the resource is **adopt-only**. `pulumi up` adopts the device if it is
   * already registered to this operator (and not terminated), and fails otherwise, naming the device
   * and the fix, without creating anything. The PAC is needed only to register.
   */
  registrationSecret?: pulumi.Input<string>;
  /**
   * Tags of the device (name → value), applied in the registration call and kept in sync: new and
   * changed tags in one call, removed tags deleted one by one. Names 1–128 characters, values
   * 1–1024 characters, at most 100 tags (src/api/values.ts). Default: no tags.
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The Soracom group (UUID) the device belongs to. Omit it for no group. */
  groupId?: pulumi.Input<string>;
  /**
   * Whether the device may be terminated. Default `false` (Soracom's default): the device is
   * protected, and deleting the resource (`pulumi destroy`, removing it from the program, replacing
   * it) fails without any API call until this is set to `true` and applied with `pulumi up`.
   */
  terminationEnabled?: pulumi.Input<boolean>;
  /**
   * How the device is terminated when the resource is deleted. `false` (default): terminated, and
   * deleted by Soracom 24 hours later. `true`: deleted at once; the device goes back to the Sigfox
   * network with a new PAC, which the provider writes to a private file (see docs/provider.md,
   * "Released PACs") and never logs.
   */
  deleteImmediately?: pulumi.Input<boolean>;
  /**
   * The Sigfox product certification ID of the device's model (e.g. `"P_0006_7A5B_01"`), sent with the
   * registration (2026 API revision), 1 to 64 characters. Registration-only, like the PAC: not an
   * output, and changing it on an existing device is no change (no update, no API call); use
   * `pulumi up --replace` to register the device again with a new one (docs/provider.md).
   */
  productCertificationId?: pulumi.Input<string>;
}

/** Last message the network received from the device. */
export interface SigfoxDeviceLastSeen {
  /** Time of the message (ISO 8601). */
  time?: string;
  /** Received signal strength (dBm). */
  rssi?: number;
  /** Signal-to-noise ratio (dB). */
  snr?: number;
}

/**
 * A Soracom Air for Sigfox device. Type token `pulumi-nodejs:dynamic/soracom:SigfoxDevice`.
 *
 * Outputs: every input but the PAC (`registrationSecret` is an input only, never an output), plus
 * the server fields below.
 */
export class SigfoxDevice extends pulumi.dynamic.Resource {
  /** The Sigfox device ID, as declared. */
  declare readonly deviceId: pulumi.Output<string>;
  /** The device's tags, as the API reports them. */
  declare readonly tags: pulumi.Output<Record<string, string>>;
  /** The device's group ID, as the API reports it; `undefined` when the device is in no group. */
  declare readonly groupId: pulumi.Output<string | undefined>;
  /** Whether the device may be terminated (false = protected), as the API reports it. */
  declare readonly terminationEnabled: pulumi.Output<boolean>;
  /** Whether deleting the resource deletes the device at once (provider setting, not an API field). */
  declare readonly deleteImmediately: pulumi.Output<boolean>;
  /** Device status: `instock`, `ready` (registered, not heard yet), `active` (has sent data) or `terminated`. */
  declare readonly status: pulumi.Output<string>;
  /** The Soracom operator that owns the device. */
  declare readonly operatorId: pulumi.Output<string>;
  /** When the device was last modified (ISO 8601), as the API reports it. */
  declare readonly lastModifiedTime: pulumi.Output<string | undefined>;
  /** The last message received from the device; `undefined` until it has sent one. */
  declare readonly lastSeen: pulumi.Output<SigfoxDeviceLastSeen | undefined>;

  constructor(name: string, args: SigfoxDeviceArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      deviceId: args.deviceId,
      // Secret so the engine stores the input encrypted. The provider never returns it as an output.
      // No PAC (adopt-only): no input at all, not even an empty secret.
      registrationSecret: args.registrationSecret === undefined ? undefined : previewSafePac(args.registrationSecret),
      tags: args.tags,
      groupId: args.groupId,
      terminationEnabled: args.terminationEnabled,
      deleteImmediately: args.deleteImmediately,
      productCertificationId: args.productCertificationId,
      // Output-only: seeded so the engine returns them as outputs of this object.
      status: undefined,
      operatorId: undefined,
      lastModifiedTime: undefined,
      lastSeen: undefined,
      // Properties a JavaScript program passes that are not inputs (`groupID`, `pac`...): handed to the
      // provider's check, which rejects them at preview, naming the closest input. Dropping them would
      // silently ignore what the user meant to set. Secret: the value may be a PAC under a wrong name.
      ...unknownArgs(args),
    };
    // No additionalSecretOutputs: the PAC is not an output. (A PAC that outputs written by earlier
    // versions still hold stays secret: the engine marks an output secret when the input of the same
    // name is.) The shim has only `configure` (which installs the real methods); see src/provider/shim.ts.
    // The SDK formats the JavaScript stack dozens of times while registering: keep only what is read
    // (see ./stack-capture.ts; a fifth of a device's state, a sixth of the program's memory).
    const restoreStackCapture = leanStackCapture();
    try {
      super(sigfoxDeviceShim as unknown as pulumi.dynamic.ResourceProvider, name, props, opts, SIGFOX_DEVICE_MODULE, SIGFOX_DEVICE_TYPE_NAME);
    } finally {
      restoreStackCapture();
    }
  }
}

/** Arguments that are not inputs of the resource (only untyped programs can pass them), as secrets. */
function unknownArgs(args: SigfoxDeviceArgs): Record<string, pulumi.Output<unknown>> {
  const extra: Record<string, pulumi.Output<unknown>> = {};
  for (const [key, value] of Object.entries(args as unknown as Record<string, unknown>)) {
    if (!(INPUT_NAMES as readonly string[]).includes(key) && value !== undefined) extra[key] = pulumi.secret(value);
  }
  return extra;
}

/**
 * The PAC as the resource's input: a secret, and, during a preview, unknown when it is well-formed.
 *
 * Why: the dynamic provider host does not support provider previews, so the engine answers a
 * previewed create or update with the checked INPUTS as the planned outputs, and the Node.js SDK
 * logs every RegisterResource response of the program as a debug diagnostic in plain text (it reaches
 * `--event-log` files and the Automation API's `onEvent`). An unknown value has no text. Nothing is
 * lost: a preview makes no API call, and `diff` never compares the PAC. A malformed PAC is passed as
 * it is, so `check` still reports it at preview (without echoing it). `pulumi up` passes the real PAC.
 */
function previewSafePac(pac: pulumi.Input<string>): pulumi.Output<string> {
  const secret = pulumi.secret(pac);
  if (!pulumi.runtime.isDryRun()) return secret;
  return secret.apply((value) => (typeof value === "string" && PAC_PATTERN.test(value) ? (pulumi.unknown as unknown as string) : value));
}
