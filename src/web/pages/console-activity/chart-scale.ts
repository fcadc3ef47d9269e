/** A value axis: its top and the tick values from 0 to it, on a 1-2-5 grid. */
export interface ValueScale {
  top: number;
  ticks: number[];
}

const MAX_TICKS = 5;

/**
 * The smallest 1-2-5 step giving at most MAX_TICKS intervals up to `max` (integers: counts),
 * so one huge bar sets the top and the grid stays readable; all zeros still draw an axis.
 */
export const valueScale = (max: number): ValueScale => {
  const wanted = Math.max(1, Math.ceil(max));
  let step = 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    const found = [1, 2, 5].map((m) => m * magnitude).find((s) => wanted / s <= MAX_TICKS);
    if (found) {
      step = found;
      break;
    }
  }
  const top = Math.ceil(wanted / step) * step;
  return { top, ticks: Array.from({ length: top / step + 1 }, (_, i) => i * step) };
};
