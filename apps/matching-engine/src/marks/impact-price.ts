/**
 * The impact price of one side of a book: the average price a market order of `sizeLots` would pay
 * walking the levels (price, lots). Undefined when the side holds less than that.
 */
export function impactPrice(
  levels: readonly (readonly [number, number, number])[],
  sizeLots: number,
): number | undefined {
  let need = sizeLots;
  let cost = 0;
  for (const [priceTicks, lots] of levels) {
    const take = Math.min(need, lots);
    cost += take * priceTicks;
    need -= take;
    if (need === 0) return cost / sizeLots;
  }
  return undefined;
}
