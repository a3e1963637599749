// Small helpers shared by the benchmarks: percentiles, one-line figures, test certificates.
import { generate } from 'selfsigned';

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

/** A throwaway CA and a leaf certificate for `host`, for HTTPS servers on loopback. */
export async function certificates(host) {
  const ca = await generate([{ name: 'commonName', value: 'Hookyard Bench CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true }],
  });
  const leaf = await generate([{ name: 'commonName', value: host }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: host }] },
    ],
  });
  return { ca: ca.cert, key: leaf.private, cert: leaf.cert };
}
