/**
 * The object handed to `pulumi.dynamic.Resource`, serialized into every resource's state (inputs and
 * outputs) and run by the provider process: `read` and `delete` run the copy stored at the resource's
 * last create/update, possibly years later. So it is tiny, captures nothing (no credentials, no
 * schema, no client, no local module) and must never change: its only method `configure`, which the
 * host awaits on a freshly deserialized provider before calling anything else, requires the public
 * entry of the installed package and lets it install the current implementation on this object.
 *
 * Plain syntax only: without a `typescript` install the serializer parses with TypeScript 3.8.
 */
export const sigfoxDeviceShim = {
  configure(req: unknown): Promise<void> {
    return require("pulumi-soracom-sigfox/provider").attach("SigfoxDevice", this, req);
  },
};
