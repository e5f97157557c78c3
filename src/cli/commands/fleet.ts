/**
 * `soracom-sigfox fleet up|preview|refresh --shards K`: runs the K shard stacks of a fleet project
 * on one machine (see src/shards/run.ts), with one progress display on stderr and one summary.
 * `soracom-sigfox fleet reshard --from K1 --to K2`: moves the devices to K2 stacks (src/shards/reshard.ts).
 *
 * Exit codes: 0 every shard succeeded (or the reshard completed), 1 at least one shard failed (each
 * named with its error) or the reshard failed, 2 bad usage (nothing was run).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine, processIo, type Command, type CommandIo } from "../command";
import { progressPrinter, summaryText } from "../../shards/report";
import { DEFAULT_ENGINE_PARALLEL, DEFAULT_SHARDS_AT_ONCE, FLEET_OPERATIONS, runShards, ShardLayoutError, type FleetOperation } from "../../shards/run";
import { reshard } from "../../shards/reshard";
import { DEFAULT_STACK_PREFIX, ShardCountSchema, StackPrefixSchema } from "../../shards/stacks";

const HELP = `Usage: soracom-sigfox fleet <up|preview|refresh> --shards K [options]
       soracom-sigfox fleet reshard --from K1 --to K2 [--stack-prefix NAME] [--cwd DIR] [--format json]

Runs one Pulumi operation on every shard stack of a sharded fleet: the stacks
<prefix>-1ofK ... <prefix>-KofK of the Pulumi project in --cwd (created when missing, each with
the stack config fleet:shard i/K), P at a time, through the Pulumi CLI. The backend is yours:
\`pulumi login\` or PULUMI_BACKEND_URL (file://, s3://, postgres://, Pulumi Cloud); a passphrase
secrets provider reads PULUMI_CONFIG_PASSPHRASE. See README "Large fleets".

Options:
  --shards K            number of shards (1-1000; required)
  --parallel P          shard stacks running at once (default ${DEFAULT_SHARDS_AT_ONCE})
  --engine-parallel N   Pulumi's --parallel inside each stack (default ${DEFAULT_ENGINE_PARALLEL}, measured:
                        docs/benchmarks.md)
  --stack-prefix NAME   stack names are NAME-<i>of<K> (default ${DEFAULT_STACK_PREFIX}; e.g. prod, or acme/prod)
  --cwd DIR             the Pulumi project folder (default: the working directory)
  --format text|json    the summary on stdout (default text)
  -h, --help            show this help

Progress (devices done/total per shard) goes to stderr.

reshard moves every device of the stacks <prefix>-<i>of<K1> to the stacks <prefix>-<j>of<K2>
(j = its shard under K2) by rewriting state: no device is terminated or registered, the next
\`fleet up --shards K2\` changes nothing. The old stacks are removed (state only) once every device
is in its new stack. Run it when no deployment of the fleet is in progress.
  --from K1             the shard count the fleet is deployed with now
  --to K2               the new shard count

Exit codes: 0 every shard succeeded (reshard: done), 1 at least one shard failed (named in the
summary with its error; reshard: failed, with the reason) or stacks of the prefix exist with
another shard count (nothing was run: reshard first), 2 bad usage (nothing was run).
`;

const OPTIONS = {
  shards: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  parallel: { type: "string" },
  "engine-parallel": { type: "string" },
  "stack-prefix": { type: "string" },
  cwd: { type: "string" },
  format: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs the command; `io` is injectable for tests. */
export async function fleet(args: string[], io: CommandIo = processIo()): Promise<number> {
  const usageError = (message: string): number => {
    io.stderr(`soracom-sigfox fleet: ${message}\n\n${HELP}`);
    return 2;
  };
  const parsed = parseCommandLine(args, { options: OPTIONS, allowPositionals: true, help: HELP }, { stdout: io.stdout, usage: usageError });
  if (typeof parsed === "number") return parsed;
  const values = parsed.values;
  const operations = [...FLEET_OPERATIONS, "reshard"];
  const [operation, ...extra] = parsed.positionals;
  if (operation === undefined) return usageError(`name an operation: ${operations.join(", ")}`);
  if (!operations.includes(operation)) return usageError(`unknown operation "${operation}": use one of ${operations.join(", ")}`);
  if (extra.length > 0) return usageError(`unexpected argument "${extra[0]}"`);

  const prefix = StackPrefixSchema.safeParse(values["stack-prefix"] ?? DEFAULT_STACK_PREFIX);
  if (!prefix.success) return usageError(`--stack-prefix ${JSON.stringify(values["stack-prefix"])}: ${prefix.error.issues[0]?.message}`);
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") return usageError(`--format ${format}: use text or json`);
  const projectDir = path.resolve(io.cwd, values.cwd ?? ".");
  if (!fs.existsSync(path.join(projectDir, "Pulumi.yaml")) && !fs.existsSync(path.join(projectDir, "Pulumi.yml"))) {
    return usageError(`--cwd ${projectDir} holds no Pulumi.yaml: point --cwd at the fleet's Pulumi project folder`);
  }

  if (operation === "reshard") {
    if (values.shards !== undefined) return usageError("reshard takes --from K1 --to K2, not --shards");
    const counts: number[] = [];
    for (const flag of ["from", "to"] as const) {
      if (values[flag] === undefined) return usageError(`reshard needs --${flag}: e.g. --from 2 --to 3`);
      const count = ShardCountSchema.safeParse(values[flag]);
      if (!count.success) return usageError(`--${flag} ${values[flag]}: ${count.error.issues[0]?.message} (e.g. --from 2 --to 3)`);
      counts.push(count.data);
    }
    const [from, to] = counts as [number, number];
    if (from === to) return usageError(`--from and --to are both ${from}: nothing to move`);
    try {
      const summary = await reshard({ from, to, projectDir, stackPrefix: prefix.data, env: io.env, log: (l) => io.stderr(`${l}\n`) });
      io.stdout(
        format === "json"
          ? `${JSON.stringify(summary, null, 2)}\n`
          : `fleet reshard: ${summary.moved} devices moved from ${from} to ${to} shards, no device registered or terminated; ` +
              `next: soracom-sigfox fleet up --shards ${to}${prefix.data === DEFAULT_STACK_PREFIX ? "" : ` --stack-prefix ${prefix.data}`}\n`,
      );
      return 0;
    } catch (error) {
      io.stderr(`soracom-sigfox fleet reshard: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }

  if (values.shards === undefined) return usageError("--shards K is required: the number of shard stacks (e.g. --shards 4)");
  const shards = ShardCountSchema.safeParse(values.shards);
  if (!shards.success) return usageError(`--shards ${values.shards}: ${shards.error.issues[0]?.message} (e.g. --shards 4)`);
  const parallel = ShardCountSchema.safeParse(values.parallel ?? DEFAULT_SHARDS_AT_ONCE);
  if (!parallel.success) return usageError(`--parallel ${values.parallel}: ${parallel.error.issues[0]?.message} (shard stacks at once, e.g. --parallel 2)`);
  const engineParallel = ShardCountSchema.safeParse(values["engine-parallel"] ?? DEFAULT_ENGINE_PARALLEL);
  if (!engineParallel.success) {
    return usageError(
      `--engine-parallel ${values["engine-parallel"]}: ${engineParallel.error.issues[0]?.message} (e.g. --engine-parallel ${DEFAULT_ENGINE_PARALLEL})`,
    );
  }
  let summary;
  try {
    summary = await runShards({
      operation: operation as FleetOperation,
      shards: shards.data,
      parallel: parallel.data,
      engineParallel: engineParallel.data,
      projectDir,
      stackPrefix: prefix.data,
      env: io.env,
      onProgress: progressPrinter(operation, io.stderr),
    });
  } catch (error) {
    if (!(error instanceof ShardLayoutError)) throw error;
    io.stderr(`soracom-sigfox fleet ${operation}: ${error.message}\n`);
    return 1;
  }
  io.stdout(format === "json" ? `${JSON.stringify(summary, null, 2)}\n` : summaryText(summary));
  return summary.failed === 0 ? 0 : 1;
}

export const fleetCommand: Command = {
  name: "fleet",
  summary: "run up / preview / refresh on every shard stack of a sharded fleet, P at a time; reshard",
  run: (args) => fleet(args),
};
