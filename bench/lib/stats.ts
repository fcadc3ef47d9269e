/** The q-quantile (0..1) of `values`, interpolating between the two nearest ranks. */
export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (at - low);
};

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');

export const formatMs = (value: number): string => `${value.toFixed(1)} ms`;

export const formatRatio = (value: number): string => `${value.toFixed(2)}x`;
