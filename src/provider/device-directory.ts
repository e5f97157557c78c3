/**
 * The device directory: answers "what is device X's live state?" for the whole provider process,
 * with as few API calls as the question allows.
 *
 * The engine calls `read` once per resource (refresh, `preview --refresh`, `up --refresh`) and
 * `create` once per new resource, at most `--parallel` at a time, in one provider process, and never
 * says how many will come. One GET per look-up costs `N` calls for `N` devices; one listing of the
 * account costs `ceil(A/100)` calls for `A` devices and answers all of them. Which is cheaper depends
 * on `N` and `A`, neither known in advance, so the directory decides as look-ups arrive:
 *
 * - The first {@link DirectoryOptions.directLookups} look-ups are GETs: a small stack in a large
 *   account never lists it.
 * - Beyond that it lists the account, one page after another, and answers every waiting look-up
 *   whose device a page returns. Pages are paid for by look-ups: the listing never runs more than
 *   {@link DirectoryOptions.slack} calls ahead of the look-ups received, so a stack much smaller
 *   than the account pays at most about as many calls as it would with GETs (`N + slack`).
 * - When the listing is held back by that rule while every look-up in flight waits for it (the
 *   engine sends no more until some complete), the oldest waiter is answered with a GET; its
 *   completion lets the engine send the next look-up, which pays for the next page.
 * - A device the finished listing did not return is confirmed with a GET before it is reported
 *   gone: a device created after its page was read, or a listing that changed under the cursor,
 *   never produces a false "gone".
 *
 * Cost, with `P = ceil(A/100)`: a stack of `N ≤ directLookups` devices costs `N` GETs; a stack that
 * is most of the account costs `directLookups + P` plus one GET per device gone; in between, at most
 * about `N + slack` (docs/provider.md, "Refresh at fleet scale", has the measured figures).
 *
 * Consistency: a listed device is what the API said at the time of its page, as a GET would be at
 * the time of the GET: the engine gives no ordering between the reads of one refresh, so either is
 * a snapshot taken during the operation. Each listed entry answers one look-up only (a later
 * look-up of the same device, e.g. after the provider changed it, gets a fresh GET), and entries
 * expire after {@link DirectoryOptions.maxAgeMs}. A page that fails (after the client's own retries,
 * which wait out 429s using the rate-limit headers) ends the listing: every waiter, and every later
 * look-up, falls back to its own GET, so a failed listing costs at most one extra call per waiter.
 */
import type { Page } from "../client";
import type { ApiSigfoxDevice } from "../api/schemas";
import { errorCode } from "./errors";

/** The calls the directory makes. */
export interface DirectoryApi {
  getSigfoxDevice(deviceId: string): Promise<ApiSigfoxDevice>;
  listSigfoxDevices(query: { lastEvaluatedKey?: string }): Promise<Page<ApiSigfoxDevice>>;
}

export interface DirectoryOptions {
  /** Look-ups answered by GET before the directory starts listing. */
  directLookups: number;
  /** How many calls the listing may run ahead of the look-ups that pay for it. */
  slack: number;
  /** How long a listed entry may answer a look-up. */
  maxAgeMs: number;
  now: () => number;
}

export const DEFAULT_DIRECTORY_OPTIONS: DirectoryOptions = {
  directLookups: 5,
  slack: 10,
  maxAgeMs: 10 * 60_000,
  now: () => Date.now(),
};

/** Calls the directory made, by kind (for tests and the bench). */
export interface DirectoryStats {
  lookups: number;
  gets: number;
  pages: number;
  /** Look-ups answered from a listed page. */
  listed: number;
}

interface Waiter {
  key: string;
  deviceId: string;
  resolve(device: ApiSigfoxDevice | undefined): void;
  reject(error: unknown): void;
}

type ListingState = "idle" | "running" | "done" | "failed";

/** Device IDs are hex numbers: `1a2b` and `1A2B` are one device (the API matches them so too). */
const keyOf = (deviceId: string): string => deviceId.toUpperCase();

export class DeviceDirectory {
  private readonly options: DirectoryOptions;
  /** Calls since the current listing began (the budget); `totals` keeps the process's counts. */
  private stats: DirectoryStats = { lookups: 0, gets: 0, pages: 0, listed: 0 };
  private readonly totals: DirectoryStats = { lookups: 0, gets: 0, pages: 0, listed: 0 };
  private listingEndedAt = 0;
  private readonly entries = new Map<string, { device: ApiSigfoxDevice; at: number }>();
  private readonly waiters: Waiter[] = [];
  private listing: ListingState = "idle";
  private cursor: string | undefined;
  private pumping = false;

  constructor(
    private readonly api: DirectoryApi,
    options: Partial<DirectoryOptions> = {},
  ) {
    this.options = { ...DEFAULT_DIRECTORY_OPTIONS, ...options };
  }

  /** The device, or `undefined` when the API confirmed it does not exist (404). Other failures throw. */
  lookup(deviceId: string): Promise<ApiSigfoxDevice | undefined> {
    this.startOverWhenStale();
    this.count("lookups");
    const key = keyOf(deviceId);
    const listed = this.take(key);
    if (listed) return Promise.resolve(listed);
    if (this.listing === "done" || this.listing === "failed") return this.get(deviceId);
    if (this.listing === "idle") {
      if (this.stats.lookups <= this.options.directLookups) return this.get(deviceId);
      this.listing = "running";
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ key, deviceId, resolve, reject });
      void this.pump();
    });
  }

  /** Calls made so far by this directory. */
  counts(): DirectoryStats {
    return { ...this.totals };
  }

  /**
   * A process that outlives one engine operation (the engine starts a provider process per
   * operation, but a program or a test may keep one longer) must not answer from an old listing:
   * once the last listing is older than `maxAgeMs`, the next look-ups start from scratch.
   */
  private startOverWhenStale(): void {
    const ended = this.listing === "done" || this.listing === "failed";
    if (!ended || this.options.now() - this.listingEndedAt <= this.options.maxAgeMs || this.waiters.length > 0) return;
    this.entries.clear();
    this.listing = "idle";
    this.cursor = undefined;
    this.stats = { lookups: 0, gets: 0, pages: 0, listed: 0 };
  }

  private count(kind: keyof DirectoryStats): void {
    this.stats[kind]++;
    this.totals[kind]++;
  }

  private end(state: "done" | "failed"): void {
    this.listing = state;
    this.listingEndedAt = this.options.now();
  }

  /** Lists pages while look-ups wait and pay for them; hands waiters to GETs when it cannot go on. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0 && this.listing === "running") {
        if (this.calls() >= this.stats.lookups + this.options.slack && !this.pagesPayOff()) {
          // Held back, and pages have not been paying for themselves: answer the oldest waiter with
          // a GET. Its completion lets the engine send the next look-up, which pays for a page.
          this.serveByGet(this.waiters.shift());
          break;
        }
        await this.nextPage();
      }
      if (this.listing === "done" || this.listing === "failed") {
        for (const waiter of this.waiters.splice(0)) this.serveByGet(waiter);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async nextPage(): Promise<void> {
    this.count("pages");
    let page: Page<ApiSigfoxDevice>;
    try {
      page = await this.api.listSigfoxDevices(this.cursor === undefined ? {} : { lastEvaluatedKey: this.cursor });
    } catch {
      // The client already retried what is safe to retry; per-device GETs report the real errors.
      this.end("failed");
      return;
    }
    const at = this.options.now();
    for (const device of page.items) this.entries.set(keyOf(device.device_id), { device, at });
    if (page.nextKey === undefined || page.nextKey === this.cursor) this.end("done");
    this.cursor = page.nextKey;
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i] as Waiter;
      const device = this.take(waiter.key);
      if (device) {
        this.waiters.splice(i, 1);
        waiter.resolve(device);
      } else {
        i++;
      }
    }
  }

  /** A listed entry, once, while it is fresh. */
  private take(key: string): ApiSigfoxDevice | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.options.now() - entry.at > this.options.maxAgeMs) return undefined;
    this.count("listed");
    return entry.device;
  }

  private serveByGet(waiter: Waiter | undefined): void {
    if (!waiter) return;
    this.get(waiter.deviceId)
      .then(waiter.resolve, waiter.reject)
      // The waiters left behind may have no look-up coming to wake the listing up again.
      .finally(() => void this.pump());
  }

  /**
   * Whether the listing has answered at least as many look-ups as it cost pages: then the stack is
   * dense in the account and another page is a better buy than a GET, even ahead of payment.
   */
  private pagesPayOff(): boolean {
    return this.stats.pages > 0 && this.stats.listed >= this.stats.pages;
  }

  private async get(deviceId: string): Promise<ApiSigfoxDevice | undefined> {
    this.count("gets");
    try {
      return await this.api.getSigfoxDevice(deviceId);
    } catch (e) {
      if (errorCode(e) === "not_found") return undefined;
      throw e;
    }
  }

  private calls(): number {
    return this.stats.gets + this.stats.pages;
  }
}
