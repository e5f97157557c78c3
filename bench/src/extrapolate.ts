/**
 * Least-squares fits used to extrapolate measured growth to sizes we did not run. These are
 * extrapolations, and the report says so: they assume the growth law holds beyond the measured range.
 */

/**
 * Fits y = b·x + c·x² with b, c ≥ 0 (no constant: 0 resources write 0 bytes). When the unconstrained
 * fit has a negative term (data that is linear, or noise), the better of the one-term fits is used.
 */
export function fitQuadraticThroughOrigin(points: { x: number; y: number }[]): { b: number; c: number } | undefined {
  const free = fitFree(points);
  if (free && free.b >= 0 && free.c >= 0) return free;
  if (points.length === 0) return undefined;
  const sxy = points.reduce((s, p) => s + p.x * p.y, 0);
  const sx2 = points.reduce((s, p) => s + p.x * p.x, 0);
  const sx2y = points.reduce((s, p) => s + p.x * p.x * p.y, 0);
  const sx4 = points.reduce((s, p) => s + p.x ** 4, 0);
  const linear = { b: sx2 > 0 ? sxy / sx2 : 0, c: 0 };
  const quadratic = { b: 0, c: sx4 > 0 ? sx2y / sx4 : 0 };
  const sse = (f: { b: number; c: number }): number => points.reduce((s, p) => s + (p.y - f.b * p.x - f.c * p.x * p.x) ** 2, 0);
  return sse(linear) <= sse(quadratic) ? linear : quadratic;
}

function fitFree(points: { x: number; y: number }[]): { b: number; c: number } | undefined {
  if (points.length < 2) return undefined;
  let s2 = 0,
    s3 = 0,
    s4 = 0,
    sxy = 0,
    sx2y = 0;
  for (const { x, y } of points) {
    s2 += x * x;
    s3 += x ** 3;
    s4 += x ** 4;
    sxy += x * y;
    sx2y += x * x * y;
  }
  const det = s2 * s4 - s3 * s3;
  if (det === 0) return undefined;
  return { b: (sxy * s4 - s3 * sx2y) / det, c: (s2 * sx2y - s3 * sxy) / det };
}

/** Fits y = a + b·x. */
export function fitLinear(points: { x: number; y: number }[]): { a: number; b: number } | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0,
    sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return undefined;
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

/** log-log slope between the smallest and the largest point: ~1 linear, ~2 quadratic. */
export function growthExponent(points: { x: number; y: number }[]): number | undefined {
  const sorted = [...points].filter((p) => p.x > 0 && p.y > 0).sort((a, b) => a.x - b.x);
  if (sorted.length < 2) return undefined;
  const lo = sorted[0]!,
    hi = sorted[sorted.length - 1]!;
  if (hi.x === lo.x) return undefined;
  return Math.log(hi.y / lo.y) / Math.log(hi.x / lo.x);
}
