import { For, Show } from 'solid-js';
import { COPY_FORMATS, type CopyFormat } from '../lib/copy-as.ts';
import type { GridSelection } from './grid-selection.ts';

/**
 * The grid's footer: how many rows, whether the result was cut short, and the copy actions for
 * what is selected — one cell copies as its value; rows or a range of cells as TSV, CSV, JSON,
 * Markdown or SQL INSERT.
 */
export default function GridFooter(props: {
  rowCount: number;
  truncated: boolean;
  selection: GridSelection;
  copied: boolean;
  onCopy: (format: CopyFormat) => void;
}) {
  const rows = () => props.selection.rows().length;
  const cells = () => props.selection.cellCount();
  const what = () => (rows() > 0 ? 'rows' : 'cells');
  const summary = () => {
    if (rows() > 0) return `${rows()} selected`;
    const region = props.selection.region();
    return region ? `${region.rows.length} × ${region.cols.length} cells` : '';
  };
  return (
    <div class="grid-footer">
      <span data-testid="row-count">
        {props.rowCount} row{props.rowCount === 1 ? '' : 's'}
      </span>
      <Show when={props.truncated}>
        <span class="badge warn" title="More rows exist than the row limit">
          truncated
        </span>
      </Show>
      <Show
        when={rows() > 0 || cells() > 1}
        fallback={
          <Show when={props.selection.cursor()}>
            <button type="button" class="link" onClick={() => props.onCopy('tsv')}>
              {props.copied ? 'Copied' : 'Copy cell'}
            </button>
          </Show>
        }
      >
        <fieldset class="row copy-as" aria-label={`Copy selected ${what()} as`} data-testid="copy-as">
          <span data-testid="selected-rows">
            {summary()} · {props.copied ? 'Copied' : 'Copy as'}
          </span>
          <For each={COPY_FORMATS}>
            {(f) => (
              <button
                type="button"
                class="link"
                aria-label={`Copy selected ${what()} as ${f.label}`}
                onClick={() => props.onCopy(f.format)}
              >
                {f.label}
              </button>
            )}
          </For>
        </fieldset>
      </Show>
    </div>
  );
}
