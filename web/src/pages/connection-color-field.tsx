import { For } from 'solid-js';
import { COLORS } from './connection-form-model.ts';

/** The connection's colour: a swatch per preset, and the browser's picker for any other. */
export function ColorField(props: { value: string; onPick: (color: string) => void }) {
  return (
    <fieldset class="field span-6" style={{ border: 0, padding: 0, margin: 0 }}>
      <span>Color</span>
      <div class="row">
        <For each={COLORS}>
          {(color) => (
            <button
              type="button"
              class="ghost"
              aria-label={`Color ${color}`}
              aria-pressed={props.value === color}
              style={{
                width: '22px',
                height: '22px',
                padding: 0,
                background: color,
                'border-radius': '50%',
                outline: props.value === color ? '2px solid var(--fg)' : 'none',
                'outline-offset': '2px',
              }}
              onClick={() => props.onPick(color)}
            />
          )}
        </For>
        <input
          type="color"
          aria-label="Custom color"
          value={props.value}
          onInput={(e) => props.onPick(e.currentTarget.value)}
        />
      </div>
    </fieldset>
  );
}
