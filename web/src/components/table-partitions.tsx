import { For, Show } from 'solid-js';
import type { TableDetail } from '../api/schema.ts';

type Partitioning = NonNullable<TableDetail['partitioning']>;

/** `RANGE (year(sold))`, with the subpartitioning after it when there is one. */
function describeMethod(p: Partitioning): string {
  // History partitions are keyed on the hidden row end; what matters is how they rotate.
  if (p.method === 'SYSTEM_TIME') return `SYSTEM_TIME ${p.systemTime ?? ''}`.trim();
  const main = `${p.method} (${p.expression})`;
  return p.subMethod ? `${main} · subpartition by ${p.subMethod} (${p.subExpression ?? ''})` : main;
}

/** A partition's bound as the CREATE would say it: `LESS THAN (2021)`, `IN ('north')`. */
function describeBound(method: string, bound: string | null): string {
  if (method === 'SYSTEM_TIME')
    return bound === 'CURRENT' ? 'current rows' : `history${bound ? ` until ${bound}` : ''}`;
  if (bound === null) return '';
  if (method.startsWith('RANGE')) return bound === 'MAXVALUE' ? 'LESS THAN MAXVALUE' : `LESS THAN (${bound})`;
  return method.startsWith('LIST') ? `IN (${bound})` : bound;
}

/**
 * MySQL/MariaDB partitions declared on the table: method, key and each partition's bound.
 * (A Postgres partition is a table of its own and shows its parent and bound in its own header.)
 */
export default function TablePartitions(props: { partitioning: Partitioning }) {
  return (
    <>
      <h3>Partitions</h3>
      <div data-testid="partitions">
        <p class="mono subtle" data-testid="partition-method">
          {describeMethod(props.partitioning)}
        </p>
        <table class="detail-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Bound</th>
              <th>Subpartitions</th>
              <th>Comment</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.partitioning.partitions}>
              {(part) => (
                <tr data-partition={part.name}>
                  <td class="mono">{part.name}</td>
                  <td class="mono">{describeBound(props.partitioning.method, part.bound)}</td>
                  <td class="mono subtle">{part.subpartitions.join(', ')}</td>
                  <td class="subtle">
                    <Show when={part.comment}>{part.comment}</Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </>
  );
}
