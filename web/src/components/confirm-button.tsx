import { createSignal, type JSX } from 'solid-js';

/** A button that asks in a modal <dialog> before running a destructive action. */
export function ConfirmButton(props: {
  label: JSX.Element;
  /** Needed when `label` is only an icon. */
  ariaLabel?: string;
  title: string;
  message: JSX.Element;
  confirmLabel?: string;
  class?: string;
  onConfirm: () => Promise<unknown> | unknown;
}) {
  let dialog: HTMLDialogElement | undefined;
  const [busy, setBusy] = createSignal(false);
  async function confirm() {
    setBusy(true);
    try {
      await props.onConfirm();
      dialog?.close();
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button
        type="button"
        class={props.class ?? 'ghost danger small'}
        aria-label={props.ariaLabel}
        title={props.ariaLabel}
        onClick={() => dialog?.showModal()}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.title}>
        <h2>{props.title}</h2>
        <p class="muted">{props.message}</p>
        <div class="row" style={{ 'justify-content': 'flex-end' }}>
          <button type="button" onClick={() => dialog?.close()}>
            Cancel
          </button>
          <button type="button" class="danger solid" disabled={busy()} onClick={confirm}>
            {props.confirmLabel ?? 'Delete'}
          </button>
        </div>
      </dialog>
    </>
  );
}
