/**
 * `pulumi-soracom-sigfox/provider`: the public entry the serialized shim requires in the provider
 * process. Every resource already in a stack loads this entry by name, forever: the exported names
 * `attach` and `sigfoxDevice` must keep their meaning in every later version of the package.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configure as configureSettings, type ConfigureRequest } from "./config";
import { exitWhenEngineGone } from "./engine-watch";
import { quietHostEcho } from "./errors";
import { check, create, diff, read, remove, update } from "./sigfox-device";

/** The SigfoxDevice resource provider (the methods the dynamic-provider host calls). */
export const sigfoxDevice = {
  async configure(req: ConfigureRequest): Promise<void> {
    configureSettings(req);
  },
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
} satisfies pulumi.dynamic.ResourceProvider & { configure(req: ConfigureRequest): Promise<void> };

const providers: Record<string, typeof sigfoxDevice> = { SigfoxDevice: sigfoxDevice };

/**
 * Called by the serialized shim's `configure` (the host always awaits `configure` on a freshly
 * deserialized provider before any other method): installs the current implementation's methods on
 * the shim object, then configures. The install is synchronous, so concurrent calls never see a
 * half-installed provider.
 */
export function attach(type: string, target: object, req: ConfigureRequest): Promise<void> {
  const impl = Object.hasOwn(providers, type) ? providers[type] : undefined;
  if (!impl) {
    return Promise.reject(new Error(`pulumi-soracom-sigfox: unknown resource type ${JSON.stringify(type)}; upgrade the pulumi-soracom-sigfox package`));
  }
  Object.assign(target, impl);
  quietHostEcho();
  exitWhenEngineGone();
  return impl.configure(req);
}

// Beside the permanent contract, only what docs/provider.md names: the shim (what every resource
// stores) and the type of configure's request. Everything else is internal: import it by path.
export { sigfoxDeviceShim } from "./shim";
export type { ConfigureRequest } from "./config";
