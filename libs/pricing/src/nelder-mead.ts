/**
 * A small deterministic Nelder-Mead minimiser in two dimensions (standard coefficients 1, 2, 0.5, 0.5).
 * The simplex lives in a Float64Array (x, y, value per vertex) and is kept ordered best to worst by a
 * stable insertion sort, so the search allocates nothing per iteration.
 */
export function nelderMead2(
  f: (x: number, y: number) => number,
  start: readonly [number, number],
  step: readonly [number, number],
  maxIterations: number,
  tolerance: number,
): { x: number; y: number; value: number } {
  const p = new Float64Array(9);
  const set = (i: number, x: number, y: number, v: number) => {
    p[3 * i] = x;
    p[3 * i + 1] = y;
    p[3 * i + 2] = v;
  };
  set(0, start[0], start[1], f(start[0], start[1]));
  set(1, start[0] + step[0], start[1], f(start[0] + step[0], start[1]));
  set(2, start[0], start[1] + step[1], f(start[0], start[1] + step[1]));
  const order = () => {
    // stable insertion sort of three vertices by value
    for (let i = 1; i < 3; i++) {
      for (let j = i; j > 0 && p[3 * j + 2]! < p[3 * j - 1]!; j--) {
        for (let k = 0; k < 3; k++) {
          const tmp = p[3 * j + k]!;
          p[3 * j + k] = p[3 * j - 3 + k]!;
          p[3 * j - 3 + k] = tmp;
        }
      }
    }
  };
  for (let it = 0; it < maxIterations; it++) {
    order();
    const bestV = p[2]!;
    const midV = p[5]!;
    const worstX = p[6]!;
    const worstY = p[7]!;
    const worstV = p[8]!;
    if (Math.abs(worstV - bestV) <= tolerance * (Math.abs(bestV) + 1e-30)) break;
    const cx = (p[0]! + p[3]!) / 2;
    const cy = (p[1]! + p[4]!) / 2;
    const rx = cx - (worstX - cx);
    const ry = cy - (worstY - cy);
    const rv = f(rx, ry);
    if (rv < bestV) {
      const ex = cx - 2 * (worstX - cx);
      const ey = cy - 2 * (worstY - cy);
      const ev = f(ex, ey);
      if (ev < rv) set(2, ex, ey, ev);
      else set(2, rx, ry, rv);
    } else if (rv < midV) set(2, rx, ry, rv);
    else {
      const t = rv < worstV ? -0.5 : 0.5;
      const kx = cx + t * (worstX - cx);
      const ky = cy + t * (worstY - cy);
      const kv = f(kx, ky);
      if (kv < Math.min(worstV, rv)) set(2, kx, ky, kv);
      else {
        for (let i = 1; i < 3; i++) {
          const x = p[0]! + 0.5 * (p[3 * i]! - p[0]!);
          const y = p[1]! + 0.5 * (p[3 * i + 1]! - p[1]!);
          set(i, x, y, f(x, y));
        }
      }
    }
  }
  order();
  return { x: p[0]!, y: p[1]!, value: p[2]! };
}
