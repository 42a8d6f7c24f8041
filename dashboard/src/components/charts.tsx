import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { niceMax } from '../report-data.ts';

/**
 * Small hand-written SVG charts. Each is an image with a title and a summary
 * for screen readers; the page offers the numbers as a table beside it.
 */
export const palette = ['#2457c5', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8590c', '#0b7285', '#868e96'];

interface Frame {
  id: string;
  title: string;
  summary: string;
  /** Drawn at the container's width, so text keeps its size whatever the layout. */
  width: number;
  children?: ComponentChildren;
}

/** Gives a chart the pixel width of its container, following resizes. */
export function ChartBox({ children }: { children: (width: number) => ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w) setWidth(w);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return (
    <div ref={ref} class="chart-box">
      {width > 0 && children(width)}
    </div>
  );
}

/** Axis ticks: 0, the maximum, and the middle when it is a whole number. */
const ticks = (max: number) => (Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max]);

function Svg({ id, title, summary, width, height, children }: Frame & { height: number }) {
  return (
    <svg class="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{summary}</desc>
      {children}
    </svg>
  );
}

/** Vertical stacked bars: one column per x label, one colour per series. */
export function StackedColumns(props: Frame & { labels: string[]; series: { name: string; values: number[]; color: string }[]; tickLabel?: (label: string, i: number) => string | undefined }) {
  const W = props.width;
  const H = 240;
  const pad = { l: 36, r: 8, t: 10, b: 28 };
  const pw = W - pad.l - pad.r;
  const ph = H - pad.t - pad.b;
  const n = props.labels.length || 1;
  const totals = props.labels.map((_, i) => props.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const bw = pw / n;
  const y = (v: number) => pad.t + ph - (v / max) * ph;
  // Room for a label about every 64 px.
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(pw / 64))));
  return (
    <Svg {...props} height={H}>
      {ticks(max).map((v) => (
        <g key={v}>
          <line x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} class="grid" />
          <text x={pad.l - 4} y={y(v) + 4} text-anchor="end" class="axis">
            {v}
          </text>
        </g>
      ))}
      {props.labels.map((label, i) => {
        let acc = 0;
        return (
          <g key={label}>
            {props.series.map((s) => {
              const v = s.values[i] ?? 0;
              if (!v) return null;
              const y0 = y(acc);
              acc += v;
              const y1 = y(acc);
              return (
                <rect key={s.name} x={pad.l + i * bw + bw * 0.12} width={Math.max(1, bw * 0.76)} y={y1} height={Math.max(0, y0 - y1)} fill={s.color}>
                  <title>{`${label} · ${s.name}: ${v}`}</title>
                </rect>
              );
            })}
            {i % every === 0 && (
              <text x={pad.l + i * bw + bw / 2} y={H - 8} text-anchor="middle" class="axis">
                {props.tickLabel ? props.tickLabel(label, i) : label}
              </text>
            )}
          </g>
        );
      })}
    </Svg>
  );
}

/** Horizontal bars with their label and value: rankings (top categories, subjects). */
export function HorizontalBars(props: Frame & { rows: { label: string; value: number; color?: string; valueLabel?: string }[]; max?: number }) {
  const W = props.width;
  const row = 26;
  const labelW = Math.min(260, Math.round(W * 0.4));
  const maxChars = Math.max(8, Math.floor((labelW - 12) / 7.5));
  const H = Math.max(row, props.rows.length * row) + 4;
  const max = props.max ?? Math.max(1, ...props.rows.map((r) => r.value));
  const bw = Math.max(20, W - labelW - 90);
  return (
    <Svg {...props} height={H}>
      {props.rows.map((r, i) => (
        <g key={`${r.label}-${i}`} transform={`translate(0 ${i * row + 2})`}>
          <text x={labelW - 8} y={row / 2 + 4} text-anchor="end" class="label">
            {r.label.length > maxChars ? `${r.label.slice(0, maxChars - 1)}…` : r.label}
          </text>
          <rect x={labelW} y={4} height={row - 8} width={Math.max(r.value ? 2 : 0, (r.value / max) * bw)} fill={r.color ?? palette[0]}>
            <title>{`${r.label}: ${r.valueLabel ?? r.value}`}</title>
          </rect>
          <text x={labelW + (r.value / max) * bw + 6} y={row / 2 + 4} class="value">
            {r.valueLabel ?? r.value}
          </text>
        </g>
      ))}
    </Svg>
  );
}

/** 100 % bars split in parts (met / breached), one per row. */
export function SplitBars(props: Frame & { rows: { label: string; parts: { value: number; color: string; name: string }[]; note: string }[] }) {
  const W = props.width;
  const row = 26;
  const labelW = Math.min(170, Math.round(W * 0.35));
  const noteW = 100;
  const H = Math.max(row, props.rows.length * row) + 4;
  const bw = Math.max(20, W - labelW - noteW);
  return (
    <Svg {...props} height={H}>
      {props.rows.map((r, i) => {
        const total = r.parts.reduce((s, p) => s + p.value, 0);
        let x = labelW;
        return (
          <g key={r.label} transform={`translate(0 ${i * row + 2})`}>
            <text x={labelW - 8} y={row / 2 + 4} text-anchor="end" class="label">
              {r.label}
            </text>
            {total === 0 && <rect x={labelW} y={4} width={bw} height={row - 8} class="empty-bar" />}
            {r.parts.map((p) => {
              const w = total ? (p.value / total) * bw : 0;
              const rect = (
                <rect key={p.name} x={x} y={4} width={w} height={row - 8} fill={p.color}>
                  <title>{`${r.label} · ${p.name}: ${p.value}`}</title>
                </rect>
              );
              x += w;
              return rect;
            })}
            <text x={labelW + bw + 8} y={row / 2 + 4} class="value">
              {r.note}
            </text>
          </g>
        );
      })}
    </Svg>
  );
}

export function Legend({ items }: { items: { name: string; color: string }[] }) {
  return (
    <ul class="legend">
      {items.map((i) => (
        <li key={i.name}>
          <span class="swatch" style={{ background: i.color }} aria-hidden="true" />
          {i.name}
        </li>
      ))}
    </ul>
  );
}
