/**
 * How the provider learns a device's live state: the one seam through which `read` (refresh) and
 * adoption in `create` get a device. `undefined` means the API confirmed that the device does not
 * exist in this operator's account (404); any other failure is thrown as the client raised it.
 *
 * Today one GET per device. At fleet scale this is where a shared listing of the account belongs
 * (one list page answers 100 look-ups), so that callers never change.
 */
import type { SigfoxDevice } from "../api/schemas";
import type { DeviceApi } from "./config";
import { errorCode } from "./errors";

export async function lookupDevice(api: DeviceApi, deviceId: string): Promise<SigfoxDevice | undefined> {
  try {
    return await api.getSigfoxDevice(deviceId);
  } catch (e) {
    if (errorCode(e) === "not_found") return undefined;
    throw e;
  }
}
