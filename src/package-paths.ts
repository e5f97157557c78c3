/**
 * Files that ship with the package (and sit at the repository root): found from this compiled file,
 * which is `src/package-paths.ts` or `dist/package-paths.js`, so they resolve the same from a checkout,
 * from `dist` and from an installed package.
 */
import * as path from "node:path";

/** The package root: the repository root in a checkout, `node_modules/pulumi-soracom-sigfox` when installed. */
export const PACKAGE_ROOT = path.resolve(__dirname, "..");

/** The sample fleet: `fleet.yaml` at the package root (its PACs in `fleet-pacs.csv` beside it). */
export const SAMPLE_FLEET_FILE = path.join(PACKAGE_ROOT, "fleet.yaml");
