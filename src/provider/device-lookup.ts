/**
 * How the provider learns a device's live state: the one seam through which `read` (refresh) and
 * adoption in `create` get a device. `undefined` means the API confirmed that the device does not
 * exist in this operator's account (404); any other failure is thrown as the client raised it.
 *
 * Look-ups go through one {@link DeviceDirectory} per client (so per provider process and
 * configuration): one listing of the account answers many look-ups when the stack is large, single
 * GETs serve a small stack. See ./device-directory.ts for the rule and why it is safe.
 */
import type { SigfoxDevice } from "../api/schemas";
import { DeviceDirectory, type DirectoryApi } from "./device-directory";

const directories = new WeakMap<DirectoryApi, DeviceDirectory>();

/** The directory of a client, created on first use. */
export function deviceDirectory(api: DirectoryApi): DeviceDirectory {
  let directory = directories.get(api);
  if (!directory) {
    directory = new DeviceDirectory(api);
    directories.set(api, directory);
  }
  return directory;
}

export function lookupDevice(api: DirectoryApi, deviceId: string): Promise<SigfoxDevice | undefined> {
  return deviceDirectory(api).lookup(deviceId);
}
