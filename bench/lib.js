// Small helpers shared by the benchmarks: percentiles, one-line figures with their spread,
// ratios to a bare baseline, test certificates, and the memory of a process tree.
import fs from 'node:fs';
import { generate } from 'selfsigned';

/** The q-quantile (0..1) of numbers, by nearest rank. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The median of an odd or even number of values (the mean of the middle two). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function shown(value) {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 1 ? 2 : 3);
}

/** Prints one figure per line: `name value unit`. */
export function figure(name, value, unit = '') {
  console.log(`${name} ${shown(value)}${unit ? ' ' + unit : ''}`);
}

/**
 * Prints the median of the repetitions of one figure with its spread:
 * `name median unit (min …, max …, n=…)`.
 */
export function spread(name, values, unit = '') {
  const min = Math.min(...values);
  const max = Math.max(...values);
  console.log(`${name} ${shown(median(values))}${unit ? ' ' + unit : ''} (min ${shown(min)}, max ${shown(max)}, n=${values.length})`);
}

/**
 * Prints Hookyard's figure, the bare baseline's and their ratio, each the median of the
 * repetitions with min and max. The ratio is taken per repetition (Hookyard's and the
 * baseline's of the same repetition ran back to back), then its median. `higherIsBetter`
 * false (latencies) divides the other way round, so a ratio above 1 always means Hookyard
 * does better than the baseline. `labels` name the two sides (default hookyard, bare).
 */
export function compare(name, hookyard, bare, unit, { higherIsBetter = true, target, labels = ['hookyard', 'bare'] } = {}) {
  spread(`${name}.${labels[0]}`, hookyard, unit);
  spread(`${name}.${labels[1]}`, bare, unit);
  const ratios = hookyard.map((h, i) => (higherIsBetter ? h / bare[i] : bare[i] / h));
  const min = Math.min(...ratios);
  const max = Math.max(...ratios);
  const med = median(ratios);
  const verdict = target === undefined ? '' : med >= target ? `, target >= ${target}: met` : `, target >= ${target}: MISSED`;
  console.log(`${name}.ratio ${med.toFixed(2)} (min ${min.toFixed(2)}, max ${max.toFixed(2)}, n=${ratios.length}${verdict})`);
  return med;
}

/**
 * For latencies: prints Hookyard's figure, the bare baseline's and how many times the
 * baseline Hookyard takes (per repetition, then the median), against an upper `target`;
 * `labels` name the two sides.
 */
export function slowdown(name, hookyard, bare, unit, { target, labels = ['hookyard', 'bare'] } = {}) {
  spread(`${name}.${labels[0]}`, hookyard, unit);
  spread(`${name}.${labels[1]}`, bare, unit);
  const ratios = hookyard.map((h, i) => h / bare[i]);
  const med = median(ratios);
  const verdict = target === undefined ? '' : med <= target ? `, target <= ${target}: met` : `, target <= ${target}: MISSED`;
  console.log(`${name}.times_${labels[1]} ${med.toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}, n=${ratios.length}${verdict})`);
  return med;
}

/** Runs `fn(i)` `n` times one after the other; resolves with their results. */
export async function repeat(n, fn) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await fn(i));
  return results;
}

/** The peak resident memory (VmHWM) of a process in MB, Linux only, else undefined. */
export function peakRssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}

/** The ids of a process's living children (Linux only, else none). */
export function childPids(pid) {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU time (user + system) a process has used so far, in ms; Linux only, else undefined. */
export function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, in ms) of a process and its children so far: its own, that of
 * the children it has reaped, and that of the children living now (Linux only, else
 * undefined). The difference of two readings covers a child that ended between them.
 */
export function treeCpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const reaped = ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
    return cpuMs(pid) + reaped + childPids(pid).reduce((sum, child) => sum + (cpuMs(child) ?? 0), 0);
  } catch {
    return undefined;
  }
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

/**
 * A new PostgreSQL database on the server at `url` for one benchmark, or undefined when
 * none answers; `drop()` removes it once every connection to it is gone.
 */
export async function postgresDatabase(url) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const db = `hookyard_bench_${process.pid}_${Date.now()}`;
  await admin.query(`create database ${db}`);
  await admin.end();
  const at = new URL(url);
  at.pathname = `/${db}`;
  return {
    url: at.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      // A pool's end() resolves before its sockets close; a forced drop meanwhile makes a
      // closing client throw an uncaught 57P01. Wait for them first.
      for (let i = 0; i < 100; i++) {
        const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [db]);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await c.query(`drop database if exists ${db} with (force)`);
      await c.end();
    },
  };
}
