/**
 * The live side of a drift check, read in bulk: the account listed page by page (the first scope tag
 * filtered by the server, like every list-only command: src/selection), then one GET for each
 * managed device the listing did not return, to confirm it is gone before calling it missing (a
 * device registered while the listing ran can be absent from it).
 *
 * Calls: `ceil(A/100)` list pages for the `A` devices the listing returns, plus one GET per managed
 * device absent from the listing (none when the account holds every managed device in scope).
 */
import type { ApiSigfoxDevice } from "../api/schemas";
import { isSoracomApiError, paginate, type ListSigfoxDevicesQuery, type Page } from "../client";
import { canonicalDeviceId } from "../fleet";
import { listQueryFor, type DeviceSelection } from "../selection";

/** The part of the client this module needs. */
export interface AccountApi {
  listSigfoxDevices(query?: ListSigfoxDevicesQuery): Promise<Page<ApiSigfoxDevice>>;
  getSigfoxDevice(deviceId: string): Promise<ApiSigfoxDevice>;
}

export interface AccountSnapshot {
  /** Every device the listing returned, by canonical device ID. */
  listed: Map<string, ApiSigfoxDevice>;
  /** Managed devices absent from the listing, by canonical ID: the device a GET found, or undefined (404). */
  confirmed: Map<string, ApiSigfoxDevice | undefined>;
  calls: { list: number; get: number };
}

/** GETs in flight at once (the client's process-wide limiter caps them further). */
const CONFIRM_CONCURRENCY = 8;

export async function readAccount(
  api: AccountApi,
  scope: DeviceSelection,
  managedDeviceIds: Iterable<string>,
  onListed?: (listed: number, pages: number) => void,
): Promise<AccountSnapshot> {
  const calls = { list: 0, get: 0 };
  const listed = new Map<string, ApiSigfoxDevice>();
  const query = listQueryFor(scope);
  const pages = paginate("listSigfoxDevices", (cursor) => {
    if (calls.list > 0) onListed?.(listed.size, calls.list);
    calls.list++;
    return api.listSigfoxDevices({ ...query, ...(cursor !== undefined ? { lastEvaluatedKey: cursor } : {}) });
  });
  for await (const device of pages) {
    listed.set(canonicalDeviceId(device.device_id), device);
  }
  onListed?.(listed.size, calls.list);

  const unconfirmed = [...new Set([...managedDeviceIds].filter((id) => !listed.has(canonicalDeviceId(id))))];
  const confirmed = new Map<string, ApiSigfoxDevice | undefined>();
  // Many managed devices absent (a fleet deleted by mistake): a second listing of the whole account
  // confirms them all for ceil(A/100) calls instead of one GET each. It is as safe as the GETs: a
  // device created or changed while the first listing ran is in the second one. Only without a
  // server-side filter: a filtered listing would miss a managed device that lost the scope tag.
  const relistPages = Math.ceil((listed.size + 1) / 100);
  if (Object.keys(query).length === 0 && unconfirmed.length > relistPages) {
    const again = new Map<string, ApiSigfoxDevice>();
    const relisting = paginate("listSigfoxDevices", (cursor) => {
      calls.list++;
      return api.listSigfoxDevices(cursor !== undefined ? { lastEvaluatedKey: cursor } : {});
    });
    for await (const device of relisting) again.set(canonicalDeviceId(device.device_id), device);
    for (const id of unconfirmed) confirmed.set(canonicalDeviceId(id), again.get(canonicalDeviceId(id)));
    return { listed, confirmed, calls };
  }
  const next = unconfirmed.values();
  const worker = async (): Promise<void> => {
    for (let id = next.next(); !id.done; id = next.next()) {
      calls.get++;
      try {
        confirmed.set(canonicalDeviceId(id.value), await api.getSigfoxDevice(id.value));
      } catch (e) {
        if (isSoracomApiError(e) && e.code === "not_found") confirmed.set(canonicalDeviceId(id.value), undefined);
        else throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONFIRM_CONCURRENCY, unconfirmed.length) }, worker));
  return { listed, confirmed, calls };
}
