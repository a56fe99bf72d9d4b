import 'uplot/dist/uPlot.min.css';
import { createEffect, createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import uPlot from 'uplot';
import type { ResultColumn } from '../api/queries.ts';
import { cellText } from './cell-value.ts';

export type ChartKind = 'bar' | 'line' | 'scatter' | 'pie';
const KINDS: ChartKind[] = ['bar', 'line', 'scatter', 'pie'];
const PALETTE = ['#4f7cff', '#f0913a', '#2eb67d', '#e0457b', '#8e6cff', '#17a2b8', '#c7a000', '#6c757d'];

export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : t / 1000;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

function numericColumns(columns: ResultColumn[], rows: unknown[][]): number[] {
  return columns
    .map((_, i) => i)
    .filter((i) => rows.slice(0, 20).some((r) => typeof r[i] === 'number' || /^-?\d/.test(String(r[i]))));
}

/**
 * Bar, line and scatter through uPlot (45 KB, canvas, draws 100k points without
 * stalling); pie is a few SVG arcs because uPlot has no pie and a second
 * charting library would cost more than these 30 lines.
 */
export default function ChartView(props: { columns: ResultColumn[]; rows: unknown[][] }) {
  const numeric = createMemo(() => numericColumns(props.columns, props.rows));
  const [kind, setKind] = createSignal<ChartKind>('bar');
  const [xIndex, setXIndex] = createSignal(0);
  const [yIndex, setYIndex] = createSignal(-1);
  const y = () => (yIndex() >= 0 ? yIndex() : (numeric().find((i) => i !== xIndex()) ?? numeric()[0] ?? 0));

  return (
    <div class="chart-view" data-testid="chart-view">
      <div class="toolbar">
        <fieldset class="segmented" aria-label="Chart type">
          <For each={KINDS}>
            {(k) => (
              <button
                type="button"
                aria-pressed={kind() === k}
                classList={{ active: kind() === k }}
                onClick={() => setKind(k)}
              >
                {k}
              </button>
            )}
          </For>
        </fieldset>
        <label>
          {kind() === 'pie' ? 'Label' : 'X'}{' '}
          <select aria-label="X column" onChange={(e) => setXIndex(Number(e.currentTarget.value))}>
            <For each={props.columns}>
              {(c, i) => (
                <option value={i()} selected={i() === xIndex()}>
                  {c.name}
                </option>
              )}
            </For>
          </select>
        </label>
        <label>
          {kind() === 'pie' ? 'Value' : 'Y'}{' '}
          <select aria-label="Y column" onChange={(e) => setYIndex(Number(e.currentTarget.value))}>
            <For each={props.columns}>
              {(c, i) => (
                <option value={i()} selected={i() === y()}>
                  {c.name}
                </option>
              )}
            </For>
          </select>
        </label>
      </div>
      <Show
        when={kind() === 'pie'}
        fallback={<PlotChart kind={kind()} columns={props.columns} rows={props.rows} x={xIndex()} y={y()} />}
      >
        <PieChart rows={props.rows} label={xIndex()} value={y()} />
      </Show>
    </div>
  );
}

function PlotChart(props: {
  kind: ChartKind;
  columns: ResultColumn[];
  rows: unknown[][];
  x: number;
  y: number;
}) {
  let host!: HTMLDivElement;
  let plot: uPlot | undefined;

  createEffect(() => {
    const rows = props.rows.slice(0, 100_000);
    const xs = rows.map((r) => toNumber(r[props.x]));
    // Categorical X (names, codes) plots by position and labels the ticks.
    const categorical = xs.some((v) => v === null) || props.kind === 'bar';
    const labels = rows.map((r) => cellText(r[props.x]) ?? 'NULL');
    const xData = categorical ? rows.map((_, i) => i) : (xs as number[]);
    const yData = rows.map((r) => toNumber(r[props.y]));
    let order = xData.map((_, i) => i);
    if (!categorical) order = order.sort((a, b) => xData[a]! - xData[b]!);
    const data: uPlot.AlignedData = [order.map((i) => xData[i]!), order.map((i) => yData[i] ?? null)];
    const color = PALETTE[0]!;
    const series: uPlot.Series =
      props.kind === 'bar'
        ? {
            label: props.columns[props.y]?.name,
            fill: `${color}cc`,
            stroke: color,
            paths: uPlot.paths.bars!({ size: [0.7, 60] }),
            points: { show: false },
          }
        : props.kind === 'scatter'
          ? {
              label: props.columns[props.y]?.name,
              stroke: color,
              paths: () => null,
              points: { show: true, size: 6, fill: color },
            }
          : { label: props.columns[props.y]?.name, stroke: color, width: 2 };
    plot?.destroy();
    plot = new uPlot(
      {
        width: Math.max(320, host.clientWidth || 640),
        height: 320,
        scales: {
          // Categories sit on integer ticks; half a slot of padding keeps the end bars whole.
          x: categorical
            ? { time: false, range: () => [-0.5, Math.max(0.5, rows.length - 0.5)] }
            : { time: false },
          // Bars measure from zero, or their heights lie.
          y:
            props.kind === 'bar'
              ? { range: (_u, min, max) => [Math.min(0, min), Math.max(0, max) * 1.05] }
              : {},
        },
        axes: [
          categorical
            ? {
                values: (_u, ticks) =>
                  ticks.map((t) => (Number.isInteger(t) ? (labels[order[t] ?? t] ?? '') : '')),
              }
            : {},
          {},
        ],
        series: [{ label: props.columns[props.x]?.name }, series],
        legend: { show: true },
      },
      data,
      host,
    );
  });
  onCleanup(() => plot?.destroy());
  return <div ref={host} class="plot" data-testid="plot" />;
}

function PieChart(props: { rows: unknown[][]; label: number; value: number }) {
  const slices = createMemo(() => {
    const totals = new Map<string, number>();
    for (const row of props.rows) {
      const v = toNumber(row[props.value]);
      if (v === null || v <= 0) continue;
      const key = cellText(row[props.label]) ?? 'NULL';
      totals.set(key, (totals.get(key) ?? 0) + v);
    }
    // Beyond a dozen slices a pie is unreadable; the rest become "other".
    const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1]);
    const top = sorted.slice(0, 11);
    const rest = sorted.slice(11).reduce((a, [, v]) => a + v, 0);
    if (rest > 0) top.push(['other', rest]);
    const sum = top.reduce((a, [, v]) => a + v, 0);
    let angle = -Math.PI / 2;
    return top.map(([label, value], i) => {
      const sweep = (value / sum) * Math.PI * 2;
      const start = angle;
      angle += sweep;
      return { label, value, start, end: angle, color: PALETTE[i % PALETTE.length]!, share: value / sum };
    });
  });
  const arc = (start: number, end: number) => {
    const r = 120;
    if (end - start >= Math.PI * 2 - 1e-9) return `M 0 ${-r} A ${r} ${r} 0 1 1 -0.01 ${-r} Z`;
    const large = end - start > Math.PI ? 1 : 0;
    return `M 0 0 L ${r * Math.cos(start)} ${r * Math.sin(start)} A ${r} ${r} 0 ${large} 1 ${r * Math.cos(end)} ${r * Math.sin(end)} Z`;
  };
  return (
    <div class="pie" data-testid="pie">
      <svg viewBox="-130 -130 260 260" width="280" height="280" role="img" aria-label="Pie chart">
        <For each={slices()}>
          {(s) => (
            <path d={arc(s.start, s.end)} fill={s.color} stroke="var(--bg, #fff)">
              <title>{`${s.label}: ${s.value} (${(s.share * 100).toFixed(1)}%)`}</title>
            </path>
          )}
        </For>
      </svg>
      <ul class="legend">
        <For each={slices()}>
          {(s) => (
            <li>
              <span class="swatch" style={{ background: s.color }} />
              {s.label} — {(s.share * 100).toFixed(1)}%
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
