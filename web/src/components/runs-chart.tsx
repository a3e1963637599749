/**
 * Charts of a hook's last 30 days (uPlot, loaded with the executions screen): runs per
 * day, completed and failed, and the records each run wrote. A table-free summary says
 * the same in words for screen readers.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Execution } from '../api/client';

const DAY = 86_400;

/** Runs per day (completed, failed) and records written per run, of the 30 days up to `now`. */
export function chartData(executions: readonly Execution[], now = Date.now()) {
  const today = Math.floor(now / 1000 / DAY) * DAY;
  const days = Array.from({ length: 30 }, (_, i) => today - (29 - i) * DAY);
  const completed = days.map(() => 0);
  const failed = days.map(() => 0);
  const runs: { t: number; written: number }[] = [];
  for (const execution of executions) {
    if (execution.dryRun) continue;
    const t = Date.parse(execution.startedAt ?? execution.createdAt) / 1000;
    const day = Math.floor((t - days[0]) / DAY);
    if (day < 0 || day >= 30) continue;
    if (execution.status === 'completed') completed[day]++;
    else if (execution.status === 'failed' || execution.status === 'timed_out') failed[day]++;
    const counts = execution.counts as { created?: number; updated?: number };
    if (execution.status !== 'queued' && execution.status !== 'running') runs.push({ t, written: (counts.created ?? 0) + (counts.updated ?? 0) });
  }
  runs.sort((a, b) => a.t - b.t);
  return { days, completed, failed, runs };
}

function Plot({ options, data, label }: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current!;
    const plot = new uPlot({ ...options, width: Math.max(280, el.clientWidth), height: 180 }, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [options, data]);
  return <div ref={box} role="img" aria-label={label} className="chart" />;
}

/** `records`: with the chart of records written per run (a hook's runs; an automation's write none of their own). */
export default function RunsChart({ executions, records }: { executions: readonly Execution[]; records: boolean }) {
  const { days, completed, failed, runs } = chartData(executions);
  const bars = uPlot.paths.bars!({ size: [0.6, 40] });
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const written = runs.reduce((a, r) => a + r.written, 0);
  // Both charts span the same 30 days, however few runs there are.
  const x: uPlot.Scale = { time: true, range: () => [days[0], days[29] + DAY] };
  // Counts start at zero, with room above the largest (uPlot's own range gives 0–100 when all are zero).
  const y: uPlot.Scale = { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] };
  return (
    <div className="charts">
      <Plot
        label={`Runs per day over 30 days: ${total(completed)} completed, ${total(failed)} failed`}
        data={[days, completed, failed]}
        options={{
          title: 'Runs per day',
          scales: { x, y },
          series: [{}, { label: 'completed', stroke: '#1b6e3a', fill: '#1b6e3a99', paths: bars }, { label: 'failed', stroke: '#b3261e', fill: '#b3261e99', paths: bars }],
        }}
      />
      {records && <Plot
        label={`Records written per run: ${runs.length} runs wrote ${written} records`}
        data={[runs.map((r) => r.t), runs.map((r) => r.written)]}
        options={{ title: 'Records written per run', scales: { x, y }, series: [{}, { label: 'records written', stroke: '#1d4ed8', points: { show: true, size: 6 } }] }}
      />}
      <p className="visually-hidden">
        In the last 30 days: {total(completed)} runs completed, {total(failed)} failed{records ? `; ${runs.length} runs wrote ${written} records` : ''}.
      </p>
    </div>
  );
}
