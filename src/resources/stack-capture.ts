/**
 * What the Pulumi SDK captures of the JavaScript stack while a `SigfoxDevice` registers.
 *
 * The Node.js SDK (3.260) formats `new Error().stack` many times per resource, synchronously, inside
 * the resource's constructor:
 * - once to record where the program declared the resource: the engine stores every frame of the
 *   whole stack in the checkpoint (`stackTrace`, ~80 bytes a frame: ~560 bytes a device in a fleet,
 *   a fifth of its state);
 * - once per promise it creates (`debuggablePromise`, four per input or output property: ~48 strings
 *   of ~750 bytes for one device, kept for the whole run), which it reads only when
 *   `PULUMI_DEBUG_PROMISE_LEAKS` is set.
 * At 10,000 devices that is ~5 MB of state and ~0.4 GiB of peak program memory spent on stacks nobody
 * reads (measured: docs/benchmarks.md, "Program memory and state size").
 *
 * While a device registers, `leanStackCapture()` puts a formatter in front of whatever formatter is
 * installed (the SDK's source-map support in a `pulumi up`, Node's default inline):
 * - the resource's position is the first frame of the user's program (where the device was
 *   declared), or none: none for a fleet's devices (the fleet records where the program declared it)
 *   and none when no program code declared it (a fleet file deployed by the default program); frames
 *   of this package, of the SDK and of Node are never recorded (the same lines for every device);
 * - a promise's stack is one constant line, unless `PULUMI_DEBUG_PROMISE_LEAKS` is set;
 * - every other stack (an error thrown while registering) is formatted by the installed formatter as
 *   before; when there is none (an inline Automation API program), in V8's own format, so a program
 *   run with Node's `--enable-source-maps` sees compiled positions in such a stack.
 * Nothing else changes: the same resources, properties and URNs; only the recorded frames.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The package's root (`dist/..` when compiled, the repository when tests run the sources). */
const PACKAGE_DIR = path.resolve(__dirname, "..", "..") + path.sep;
const SDK_DIR_MARK = `${path.sep}@pulumi${path.sep}pulumi${path.sep}`;

/** The name of `SigfoxFleet`'s constructor (a string: importing the class here would be a cycle). */
const FLEET_CONSTRUCTOR = "SigfoxFleet";

/** The stack a promise records instead (a constant: no memory per promise). */
export const PROMISE_STACK_NOT_RECORDED = "Error: stack not recorded (set PULUMI_DEBUG_PROMISE_LEAKS=1 to record it)";

type Formatter = NonNullable<typeof Error.prepareStackTrace>;

/** Installs the lean formatter; call the returned function (in a `finally`) to put the previous one back. */
export function leanStackCapture(env: NodeJS.ProcessEnv = process.env): () => void {
  const previous = Error.prepareStackTrace;
  const recordPromiseStacks = Boolean(env.PULUMI_DEBUG_PROMISE_LEAKS);
  const lean: Formatter = (error, sites) => {
    const probe = sdkProbe(sites);
    if (probe === "promise" && !recordPromiseStacks) return PROMISE_STACK_NOT_RECORDED;
    return format(previous, error, probe === "position" ? positionFrames(sites) : sites);
  };
  Error.prepareStackTrace = lean;
  return () => {
    // Only if nobody replaced it meanwhile (a formatter installed by the program stays).
    if (Error.prepareStackTrace === lean) Error.prepareStackTrace = previous;
  };
}

/** Which of the SDK's stack captures this is, by the function on top of it. */
function sdkProbe(sites: NodeJS.CallSite[]): "position" | "promise" | undefined {
  const top = sites[0];
  if (top === undefined || !isSdk(top)) return undefined;
  const name = top.getFunctionName();
  if (name === "callsites") return "position";
  if (name === "debuggablePromise") return "promise";
  return undefined;
}

/**
 * The frames worth recording for a resource: the SDK's own on top (it skips them by count), then
 * the first frame of the user's program, which becomes the resource's source position. None when
 * no program code declared it (a fleet file deployed by the default program): a position inside
 * this package (the same line for every device) tells a user nothing.
 */
export function positionFrames(sites: NodeJS.CallSite[]): NodeJS.CallSite[] {
  let sdkFrames = 0;
  while (sdkFrames < sites.length && isSdk(sites[sdkFrames]!)) sdkFrames++;
  const kept = sites.slice(0, sdkFrames);
  const below = sites.slice(sdkFrames);
  const declaredAt = below.findIndex(isProgramFrame);
  // A fleet's device: its fleet records where the program declared it; the device itself comes from
  // an entry of the fleet definition, which no frame describes.
  const inFleet = below.slice(0, declaredAt === -1 ? below.length : declaredAt).some(isFleetConstructor);
  if (declaredAt !== -1 && !inFleet) kept.push(below[declaredAt]!);
  return kept;
}

function isFleetConstructor(site: NodeJS.CallSite): boolean {
  return site.isConstructor() && site.getFunctionName() === FLEET_CONSTRUCTOR && isPackageFrame(site);
}

function isPackageFrame(site: NodeJS.CallSite): boolean {
  return fileOf(site)?.startsWith(PACKAGE_DIR) ?? false;
}

function isSdk(site: NodeJS.CallSite): boolean {
  return fileOf(site)?.includes(SDK_DIR_MARK) ?? false;
}

/** A frame of the user's program: a file outside this package, the SDK and Node's own modules. */
function isProgramFrame(site: NodeJS.CallSite): boolean {
  const file = fileOf(site);
  return file !== undefined && !file.startsWith(PACKAGE_DIR) && !file.includes(SDK_DIR_MARK);
}

/** The frame's file as an absolute path; undefined for Node's own modules (`node:`), eval and native code. */
function fileOf(site: NodeJS.CallSite): string | undefined {
  const name = site.getFileName();
  if (!name) return undefined;
  const file = name.startsWith("file://") ? fileURLToPath(name) : name;
  return path.isAbsolute(file) ? file : undefined;
}

function format(previous: Formatter | undefined, error: Error, sites: NodeJS.CallSite[]): unknown {
  if (previous !== undefined) return previous(error, sites);
  // V8's own format (what `new Error().stack` gives without a formatter).
  return `${Error.prototype.toString.call(error)}${sites.map((site) => `\n    at ${site}`).join("")}`;
}
