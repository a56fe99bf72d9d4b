import { createEffect, For } from 'solid-js';

const MOD = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

const GROUPS: { title: string; keys: [string, string][] }[] = [
  {
    title: 'Anywhere',
    keys: [
      [`${MOD}+K`, 'Command palette: jump to a page, connection, table, document or saved query'],
      ['?', 'This list of shortcuts'],
      ['Esc', 'Close a dialog or the menu'],
    ],
  },
  {
    title: 'SQL editor (query page and documents)',
    keys: [
      [`${MOD}+Enter`, 'Run the selection, or everything when nothing is selected'],
      [`Shift+${MOD}+Enter`, 'Run everything'],
      ['Esc', 'Cancel the running query (query page)'],
      ['Shift+Alt+F', 'Format the selection, or everything'],
      [`${MOD}+Space`, 'Complete a table or column name'],
    ],
  },
  {
    title: 'Result grids',
    keys: [
      ['Arrow keys', 'Move between cells (the first press selects the first cell)'],
      ['Shift+arrows', 'Grow the selection to a range of cells (Shift+click too)'],
      [`${MOD}+A`, 'Select every row'],
      [`${MOD}+C`, 'Copy the selection as TSV (one cell as its value)'],
      ['Enter or F2', 'Edit the cell (table data); Enter saves, Esc cancels'],
    ],
  },
];

/** The `?` sheet: every shortcut in one place, as a native modal dialog. */
export function ShortcutsSheet(props: { open: boolean; onClose: () => void }) {
  let dialog: HTMLDialogElement | undefined;
  createEffect(() => {
    if (props.open && dialog && !dialog.open) dialog.showModal();
    if (!props.open && dialog?.open) dialog.close();
  });
  return (
    <dialog
      ref={dialog}
      class="shortcuts-sheet"
      aria-labelledby="shortcuts-title"
      onClose={() => props.onClose()}
    >
      <div class="row">
        <h2 id="shortcuts-title" class="grow">
          Keyboard shortcuts
        </h2>
        <button type="button" class="small" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
      <For each={GROUPS}>
        {(group) => (
          <section>
            <h3>{group.title}</h3>
            <dl class="shortcut-list">
              <For each={group.keys}>
                {([keys, what]) => (
                  <>
                    <dt>
                      <kbd>{keys}</kbd>
                    </dt>
                    <dd>{what}</dd>
                  </>
                )}
              </For>
            </dl>
          </section>
        )}
      </For>
    </dialog>
  );
}
