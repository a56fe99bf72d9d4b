import { createResource, For, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { type ObjectNode, schemaApi } from '../api/schema.ts';

const GROUPS: { kind: ObjectNode['kind']; label: string; icon: string }[] = [
  { kind: 'sequence', label: 'Sequences', icon: '#' },
  { kind: 'domain', label: 'Domains', icon: 'T' },
  { kind: 'partition', label: 'Partitions', icon: '▤' },
  { kind: 'function', label: 'Functions', icon: 'ƒ' },
  { kind: 'procedure', label: 'Procedures', icon: 'ƒ' },
  { kind: 'aggregate', label: 'Aggregates', icon: 'Σ' },
  { kind: 'trigger', label: 'Triggers', icon: '⚡' },
  { kind: 'event', label: 'Events', icon: '⏱' },
];

/**
 * A schema's objects other than tables, one collapsed group per kind that has any. Fetched
 * once when the schema opens (one short list; bodies stay on the server).
 */
export default function ObjectGroups(props: { connectionId: string; schema: string }) {
  const [objects] = createResource(
    () => ({ id: props.connectionId, schema: props.schema }),
    ({ id, schema }) => schemaApi.objects(id, schema),
  );
  const of = (kind: ObjectNode['kind']) => (objects.latest ?? []).filter((o) => o.kind === kind);
  return (
    <>
      <Show when={objects.error}>
        <li class="error-text tree-note">{describeError(objects.error)}</li>
      </Show>
      <For each={GROUPS.filter((g) => of(g.kind).length > 0)}>
        {(group) => (
          <li data-object-group={group.kind}>
            <details>
              <summary class="tree-row">
                <span class="icon" aria-hidden="true">
                  {group.icon}
                </span>
                <span class="grow">{group.label}</span>
                <span class="count">{of(group.kind).length}</span>
              </summary>
              <ul>
                <For each={of(group.kind)}>
                  {(o) => (
                    <li
                      class="tree-row leaf"
                      data-object={`${o.kind}:${o.name}`}
                      title={o.detail ?? undefined}
                    >
                      <span class="grow name">{o.name}</span>
                      <Show when={o.detail}>
                        <span class="subtle mono">
                          {o.kind === 'function' || o.kind === 'procedure' || o.kind === 'aggregate'
                            ? `(${o.detail})`
                            : o.detail}
                        </span>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </details>
          </li>
        )}
      </For>
    </>
  );
}
