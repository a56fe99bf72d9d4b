import { For } from 'solid-js';
import type { Connection } from '../api/types.ts';
import { useStore } from '../stores/index.tsx';

/** Picks one of the organization's active connections; the page keeps the choice in its URL. */
export default function ConnectionPicker(props: {
  value: string | undefined;
  onChange: (id: string) => void;
}) {
  const store = useStore();
  const usable = (): Connection[] => store.connections.list.filter((c) => c.active !== false);
  return (
    <select
      class="connection-picker"
      aria-label="Connection"
      data-testid="connection-picker"
      value={props.value ?? ''}
      onChange={(e) => props.onChange(e.currentTarget.value)}
    >
      <option value="" disabled>
        Choose a connection…
      </option>
      <For each={usable()}>
        {(c) => (
          <option value={c.id} selected={c.id === props.value}>
            {c.name} ({c.engine})
          </option>
        )}
      </For>
    </select>
  );
}
