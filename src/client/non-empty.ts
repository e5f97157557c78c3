/**
 * A setting read from options, a profile, Pulumi config or the environment counts as not set when it
 * is empty: `FOO= cmd` and an empty profile field mean "not given", the way shells and soracom-cli
 * treat them. One rule for the client, the provider and the default program.
 */

/** True when `value` is a non-empty string (narrows it). */
export function isNonEmpty(value: string | undefined | null): value is string {
  return typeof value === "string" && value !== "";
}

/**
 * `value`, or undefined when it is not set. With `trim`, whitespace around it is dropped and
 * whitespace alone counts as not set (file paths typed into config or the environment).
 */
export function nonEmpty(value: string | undefined, options: { trim?: boolean } = {}): string | undefined {
  const text = options.trim === true ? value?.trim() : value;
  return isNonEmpty(text) ? text : undefined;
}
