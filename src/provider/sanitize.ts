/**
 * JSON-clean results for the dynamic-provider host.
 *
 * The host turns every result into a protobuf `Struct`. Any `undefined` (even nested) or `BigInt`
 * makes the whole RPC fail with "Unexpected struct type." *after* the API call succeeded, and a `Date`
 * silently becomes `{}`. Every value a provider method returns goes through {@link toJsonClean}.
 */

/** A value that survives `Struct.fromJavaScript` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Deep copy of `value` with only JSON values left:
 * - object keys whose value is `undefined`, a function or a symbol are dropped;
 * - the same inside arrays become `null` (positions are kept);
 * - `Date` → ISO string (an invalid date → `null`); `bigint` → decimal string;
 * - non-finite numbers → `null`; objects with `toJSON` (other than Date) → their `toJSON()`;
 * - cycles are cut (`null`) instead of overflowing the stack.
 */
export function toJsonClean(value: unknown): JsonValue | undefined {
  return clean(value, new Set());
}

/** {@link toJsonClean} for an object result: always returns an object. */
export function toJsonObject(value: Record<string, unknown>): JsonObject {
  const out = toJsonClean(value);
  return out !== null && typeof out === "object" && !Array.isArray(out) ? out : {};
}

function clean(value: unknown, seen: Set<object>): JsonValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (seen.has(obj)) return null;
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((v) => clean(v, seen) ?? null);
    const withToJson = obj as { toJSON?: () => unknown };
    if (typeof withToJson.toJSON === "function") return clean(withToJson.toJSON(), seen);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(obj)) {
      const c = clean(v, seen);
      if (c !== undefined) out[k] = c;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}
