import { createMemo, createSignal, For, Show } from 'solid-js';
import type { Erd } from '../api/schema.ts';
import {
  HEADER_HEIGHT,
  LINE_HEIGHT,
  layoutErd,
  MAX_LINES,
  NODE_WIDTH,
  nodeKey,
  type PlacedNode,
} from './erd-layout.ts';

/** The ER diagram as SVG: drag to pan, wheel (or the buttons) to zoom, click a table to open it. */
export default function ErdView(props: { erd: Erd; onOpenTable: (schema: string, table: string) => void }) {
  let svg!: SVGSVGElement;
  const layout = createMemo(() => layoutErd(props.erd));
  const byKey = createMemo(() => new Map(layout().nodes.map((n) => [n.key, n])));
  const [view, setView] = createSignal({ x: 20, y: 20, k: 1 });
  const [hover, setHover] = createSignal<string | null>(null);

  const edges = createMemo(() =>
    props.erd.edges.flatMap((e) => {
      const from = byKey().get(nodeKey(e.from.schema, e.from.table));
      const to = byKey().get(nodeKey(e.to.schema, e.to.table));
      if (!from || !to) return [];
      return [
        {
          from,
          to,
          key: `${from.key}->${to.key}:${e.name ?? e.from.columns.join(',')}`,
          label: e.from.columns.join(', '),
        },
      ];
    }),
  );

  const path = (from: PlacedNode, to: PlacedNode, fromColumns: string) => {
    const rowOf = (n: PlacedNode, cols: string[]) => {
      const i = n.node.columns.findIndex((c) => cols.includes(c.name));
      return i >= 0 && i < MAX_LINES
        ? HEADER_HEIGHT + LINE_HEIGHT * i + LINE_HEIGHT / 2 + 2
        : HEADER_HEIGHT / 2;
    };
    const y1 = from.y + rowOf(from, fromColumns.split(', '));
    const y2 =
      to.y +
      rowOf(
        to,
        to.node.columns.filter((c) => c.pk).map((c) => c.name),
      );
    if (from === to) {
      const x = from.x + NODE_WIDTH;
      return `M ${x} ${y1} C ${x + 40} ${y1}, ${x + 40} ${y2 - 20}, ${x} ${y2 - 6}`;
    }
    const leftToRight = from.x > to.x;
    const x1 = leftToRight ? from.x : from.x + NODE_WIDTH;
    const x2 = leftToRight ? to.x + NODE_WIDTH : to.x;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    const c1 = leftToRight ? x1 - bend : x1 + bend;
    const c2 = leftToRight ? x2 + bend : x2 - bend;
    return `M ${x1} ${y1} C ${c1} ${y1}, ${c2} ${y2}, ${x2} ${y2}`;
  };

  function zoomAt(factor: number, cx: number, cy: number) {
    setView((v) => {
      const k = Math.min(3, Math.max(0.1, v.k * factor));
      const ratio = k / v.k;
      return { k, x: cx - (cx - v.x) * ratio, y: cy - (cy - v.y) * ratio };
    });
  }

  function onWheel(e: WheelEvent) {
    e.preventDefault();
    const rect = svg.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - rect.left, e.clientY - rect.top);
  }

  function onPointerDown(e: PointerEvent) {
    if ((e.target as Element).closest('[data-erd-node]')) return;
    svg.setPointerCapture(e.pointerId);
    const start = { px: e.clientX, py: e.clientY, ...view() };
    const move = (m: PointerEvent) =>
      setView((v) => ({ ...v, x: start.x + m.clientX - start.px, y: start.y + m.clientY - start.py }));
    const up = () => {
      svg.removeEventListener('pointermove', move);
      svg.removeEventListener('pointerup', up);
    };
    svg.addEventListener('pointermove', move);
    svg.addEventListener('pointerup', up);
  }

  function fit() {
    const rect = svg.getBoundingClientRect();
    const k = Math.min(1.5, (rect.width - 40) / layout().width, (rect.height - 40) / layout().height);
    setView({ k: Math.max(0.1, k), x: 20, y: 20 });
  }

  const related = (key: string) => {
    const h = hover();
    if (!h) return false;
    return key.startsWith(`${h}->`) || key.includes(`->${h}:`);
  };

  return (
    <div class="erd" data-testid="erd">
      <div class="erd-controls">
        <button type="button" class="btn small" aria-label="Zoom in" onClick={() => zoomAt(1.25, 200, 150)}>
          +
        </button>
        <button type="button" class="btn small" aria-label="Zoom out" onClick={() => zoomAt(0.8, 200, 150)}>
          −
        </button>
        <button type="button" class="btn small" onClick={fit}>
          Fit
        </button>
        <span class="subtle">
          {props.erd.nodes.length} tables · {props.erd.edges.length} relationships ·{' '}
          {Math.round(view().k * 100)}%
        </span>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a group of focusable tables, which role="img" would hide; <fieldset> cannot hold SVG */}
      <svg
        ref={svg}
        class="erd-canvas"
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        role="group"
        aria-label="Entity-relationship diagram"
      >
        <title>Entity-relationship diagram</title>
        <defs>
          <marker
            id="erd-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" class="erd-arrowhead" />
          </marker>
        </defs>
        <g transform={`translate(${view().x} ${view().y}) scale(${view().k})`}>
          <For each={edges()}>
            {(edge) => (
              <path
                class="erd-edge"
                classList={{ hot: related(edge.key) }}
                d={path(edge.from, edge.to, edge.label)}
                marker-end="url(#erd-arrow)"
              >
                <title>{`${edge.from.key}(${edge.label}) → ${edge.to.key}`}</title>
              </path>
            )}
          </For>
          <For each={layout().nodes}>
            {(n) => (
              // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>
              <g
                class="erd-node"
                classList={{ hot: hover() === n.key }}
                data-erd-node={n.key}
                transform={`translate(${n.x} ${n.y})`}
                role="button"
                tabIndex={0}
                aria-label={`Open ${n.key}`}
                onClick={() => props.onOpenTable(n.node.schema, n.node.name)}
                onKeyDown={(e) => e.key === 'Enter' && props.onOpenTable(n.node.schema, n.node.name)}
                onPointerEnter={() => setHover(n.key)}
                onPointerLeave={() => setHover(null)}
              >
                <rect class="erd-box" width={NODE_WIDTH} height={n.height} rx="5" />
                <rect class="erd-head" width={NODE_WIDTH} height={HEADER_HEIGHT} rx="5" />
                <text class="erd-title" x="8" y="16">
                  {n.node.name}
                </text>
                <For each={n.node.columns.slice(0, MAX_LINES)}>
                  {(c, i) => (
                    <text class="erd-col" x="8" y={HEADER_HEIGHT + LINE_HEIGHT * i() + 13}>
                      <tspan class={c.pk ? 'erd-pk' : c.fk ? 'erd-fk' : 'erd-key'}>
                        {c.pk ? 'PK ' : c.fk ? 'FK ' : '   '}
                      </tspan>
                      {c.name}
                      <tspan class="erd-type" x={NODE_WIDTH - 8} text-anchor="end">
                        {c.type.length > 14 ? `${c.type.slice(0, 13)}…` : c.type}
                      </tspan>
                    </text>
                  )}
                </For>
                <Show when={n.node.columns.length > MAX_LINES}>
                  <text class="erd-type" x="8" y={HEADER_HEIGHT + LINE_HEIGHT * MAX_LINES + 13}>
                    +{n.node.columns.length - MAX_LINES} more
                  </text>
                </Show>
              </g>
            )}
          </For>
        </g>
      </svg>
    </div>
  );
}
