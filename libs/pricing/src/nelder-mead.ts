/** A small deterministic Nelder-Mead minimiser in two dimensions (standard coefficients 1, 2, 0.5, 0.5). */
export function nelderMead2(
  f: (x: number, y: number) => number,
  start: readonly [number, number],
  step: readonly [number, number],
  maxIterations: number,
  tolerance: number,
): { x: number; y: number; value: number } {
  const pts: Array<[number, number, number]> = [
    [start[0], start[1], f(start[0], start[1])],
    [start[0] + step[0], start[1], f(start[0] + step[0], start[1])],
    [start[0], start[1] + step[1], f(start[0], start[1] + step[1])],
  ];
  for (let it = 0; it < maxIterations; it++) {
    pts.sort((p, q) => p[2] - q[2]);
    const [best, mid, worst] = pts as [
      [number, number, number],
      [number, number, number],
      [number, number, number],
    ];
    if (Math.abs(worst[2] - best[2]) <= tolerance * (Math.abs(best[2]) + 1e-30)) break;
    const cx = (best[0] + mid[0]) / 2;
    const cy = (best[1] + mid[1]) / 2;
    const at = (t: number): [number, number, number] => {
      const x = cx + t * (worst[0] - cx);
      const y = cy + t * (worst[1] - cy);
      return [x, y, f(x, y)];
    };
    const r = at(-1);
    if (r[2] < best[2]) {
      const e = at(-2);
      pts[2] = e[2] < r[2] ? e : r;
    } else if (r[2] < mid[2]) pts[2] = r;
    else {
      const c = r[2] < worst[2] ? at(-0.5) : at(0.5);
      if (c[2] < Math.min(worst[2], r[2])) pts[2] = c;
      else {
        for (const i of [1, 2]) {
          const p = pts[i]!;
          const x = best[0] + 0.5 * (p[0] - best[0]);
          const y = best[1] + 0.5 * (p[1] - best[1]);
          pts[i] = [x, y, f(x, y)];
        }
      }
    }
  }
  pts.sort((p, q) => p[2] - q[2]);
  const b = pts[0]!;
  return { x: b[0], y: b[1], value: b[2] };
}
