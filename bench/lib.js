// Small helpers shared by the benchmarks: percentiles and one-line figures.

/** The q-quantile (0..1) of numbers, by nearest rank. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Prints one figure per line: `name value unit`. */
export function figure(name, value, unit = '') {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 4 : 1);
  console.log(`${name} ${shown}${unit ? ' ' + unit : ''}`);
}
