import {
  MySQL,
  PostgreSQL,
  type SQLDialect,
  SQLite,
  type SQLNamespace,
  StandardSQL,
  sql,
} from '@codemirror/lang-sql';
import { Compartment, EditorState, type Extension, Prec } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { basicSetup, EditorView } from 'codemirror';
import { createEffect, on, onCleanup, onMount } from 'solid-js';
import type { EngineName } from '../api/types.ts';
import { themedEditor } from './sql-highlight.ts';

const DIALECTS: Record<EngineName, SQLDialect> = { postgres: PostgreSQL, mysql: MySQL, sqlite: SQLite };

export interface SqlEditorHandle {
  readonly view: EditorView;
  /** The whole text. */
  text(): string;
  /** The selected text, or '' when the selection is empty. */
  selection(): string;
  /** Formats the selection, or everything when nothing is selected. */
  format(): Promise<void>;
  setText(text: string): void;
  focus(): void;
}

export interface SqlEditorProps {
  /** The connection's engine; standard SQL until one is known. */
  engine?: EngineName | undefined;
  /** Tables and columns from the synced schema, in lang-sql's namespace shape. */
  schema?: SQLNamespace | undefined;
  defaultSchema?: string | undefined;
  initialText?: string;
  /** Extra extensions fixed at creation (the Yjs binding on the document page). */
  extensions?: Extension[];
  /** Replaces the editor's own state document (collab owns the text). */
  readOnly?: boolean;
  /** Mod-Enter: the selection when there is one, else everything. */
  onRun?: (sql: string) => void;
  onChange?: (text: string) => void;
  ref?: (handle: SqlEditorHandle) => void;
  class?: string;
}

function languageFor(props: SqlEditorProps): Extension {
  return sql({
    dialect: props.engine ? DIALECTS[props.engine] : StandardSQL,
    schema: props.schema ?? {},
    defaultSchema: props.defaultSchema,
    upperCaseKeywords: true,
  });
}

export default function SqlEditor(props: SqlEditorProps) {
  let host!: HTMLDivElement;
  const language = new Compartment();
  const readOnly = new Compartment();

  onMount(() => {
    const selectionText = (state: EditorState) =>
      state.selection.ranges.map((r) => state.sliceDoc(r.from, r.to)).join('\n');
    let handle: SqlEditorHandle | undefined;
    const runKeys = Prec.highest(
      keymap.of([
        {
          key: 'Mod-Enter',
          run: (view) => {
            const picked = selectionText(view.state);
            props.onRun?.(picked.trim() ? picked : view.state.doc.toString());
            return true;
          },
        },
        {
          key: 'Shift-Alt-f',
          run: () => {
            void handle?.format();
            return true;
          },
        },
        {
          key: 'Shift-Mod-Enter',
          run: (view) => {
            props.onRun?.(view.state.doc.toString());
            return true;
          },
        },
      ]),
    );
    const view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: props.initialText ?? '',
        extensions: [
          runKeys,
          basicSetup,
          themedEditor,
          language.of(languageFor(props)),
          readOnly.of(EditorState.readOnly.of(props.readOnly ?? false)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) props.onChange?.(update.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ 'aria-label': 'SQL editor', 'data-testid': 'sql-editor' }),
          ...(props.extensions ?? []),
        ],
      }),
    });

    createEffect(
      on(
        () => [props.engine, props.schema, props.defaultSchema] as const,
        () => view.dispatch({ effects: language.reconfigure(languageFor(props)) }),
        { defer: true },
      ),
    );
    createEffect(
      on(
        () => props.readOnly,
        (value) => view.dispatch({ effects: readOnly.reconfigure(EditorState.readOnly.of(value ?? false)) }),
        { defer: true },
      ),
    );

    handle = {
      view,
      text: () => view.state.doc.toString(),
      selection: () => selectionText(view.state),
      async format() {
        const { formatSql } = await import('./sql-format.ts');
        const { from, to } = view.state.selection.main;
        const whole = from === to;
        const source = whole ? view.state.doc.toString() : view.state.sliceDoc(from, to);
        const formatted = formatSql(source, props.engine);
        view.dispatch({
          changes: whole
            ? { from: 0, to: view.state.doc.length, insert: formatted }
            : { from, to, insert: formatted },
        });
      },
      setText(text) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      },
      focus: () => view.focus(),
    };
    props.ref?.(handle);
    onCleanup(() => view.destroy());
  });

  return <div ref={host} class={`sql-editor ${props.class ?? ''}`} />;
}
