import { Show } from 'solid-js';
import type { ConnectionStatusInfo } from '../api/types.ts';
import { formatRelative } from '../lib/format.ts';

/** The stored result of the last test: green passed, red failed, grey never tested. */
export function ConnectionStatus(props: { status: ConnectionStatusInfo | undefined; compact?: boolean }) {
  const state = () => props.status?.state ?? 'untested';
  const text = () => {
    const s = props.status;
    if (!s || s.state === 'untested') return 'Not tested';
    const when = s.testedAt ? ` · ${formatRelative(s.testedAt)}` : '';
    if (s.state === 'ok') return `OK · ${s.latencyMs ?? '?'} ms${when}`;
    return `${s.error?.message ?? 'Failed'}${when}`;
  };
  return (
    <span class="row" data-testid="connection-status" data-state={state()} title={text()}>
      <span class={`dot ${state() === 'ok' ? 'ok' : state() === 'error' ? 'bad' : ''}`} aria-hidden="true" />
      <Show when={!props.compact} fallback={<span class="sr-only">{text()}</span>}>
        <span class="muted" style={{ 'font-size': '12px' }}>
          {text()}
        </span>
      </Show>
    </span>
  );
}
