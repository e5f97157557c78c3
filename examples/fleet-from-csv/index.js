"use strict";
// A fleet of Sigfox devices: fleet.yaml says what every device should look like, devices.csv lists
// the devices, and the PACs come from a CSV kept outside the repository (see README.md).
// Plain CommonJS: `pulumi up` runs it as is, no TypeScript toolchain needed.
const path = require("node:path");
const { SigfoxFleet } = require("pulumi-soracom-sigfox");

// An invalid fleet file stops here, listing every problem with its file and line, before any
// resource is registered (so before any API call).
const fleet = new SigfoxFleet("fleet", { definition: path.join(__dirname, "fleet.yaml") });

exports.devices = fleet.devices;
exports.deviceCount = fleet.deviceIds.length;
