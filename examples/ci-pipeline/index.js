"use strict";
// The fleet that the GitHub Actions workflow in .github/workflows/sigfox-fleet.yml deploys.
// PACs come from the stack's encrypted config (`pacs` object) or the environment (SORACOM_PAC_<id>):
// never from a committed file. Plain CommonJS: no TypeScript toolchain needed.
const path = require("node:path");
const { SigfoxFleet } = require("pulumi-soracom-sigfox");

const fleet = new SigfoxFleet("fleet", { definition: path.join(__dirname, "fleet.yaml") });

exports.devices = fleet.devices;
exports.deviceCount = fleet.deviceIds.length;
