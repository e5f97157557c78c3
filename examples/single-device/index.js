"use strict";
// One Sigfox device, registered to your Soracom operator with its PAC.
// Plain CommonJS: `pulumi up` runs it as is, no TypeScript toolchain needed.
const pulumi = require("@pulumi/pulumi");
const { SigfoxDevice } = require("pulumi-soracom-sigfox");

const config = new pulumi.Config();
const deviceId = config.get("deviceId") || "1A2B3C10";

// The PAC is a one-time secret: never commit it. Take it from the stack's secret config
// (`pulumi config set --secret pac <PAC>`), else from the environment (SORACOM_PAC_<deviceId>).
const pacFromEnv = process.env[`SORACOM_PAC_${deviceId}`];
const pac = config.getSecret("pac") || (pacFromEnv ? pulumi.secret(pacFromEnv) : undefined);
if (pac === undefined) {
  throw new pulumi.RunError(`No PAC for device ${deviceId}: run \`pulumi config set --secret pac <PAC>\` or set SORACOM_PAC_${deviceId}.`);
}

const device = new SigfoxDevice(deviceId, {
  deviceId,
  registrationSecret: pac,
  tags: { example: "single-device", site: config.get("site") || "tokyo" },
  // Soracom protects devices from termination by default. The example allows it so that
  // `pulumi destroy` cleans up; keep the default (false) for devices you care about.
  terminationEnabled: config.getBoolean("terminationEnabled") ?? true,
});

exports.deviceId = device.deviceId;
exports.status = device.status;
exports.tags = device.tags;
exports.operatorId = device.operatorId;
