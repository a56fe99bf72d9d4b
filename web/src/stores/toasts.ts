import { createStore } from 'solid-js/store';
import { ApiError, describeError } from '../api/client.ts';

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  message: string;
  /** The server's id for the request this toast reports on, to quote to an administrator. */
  requestId?: string;
}

const LIFETIME_MS = 6000;
// A failure stays longer: its request id is there to be copied.
const ERROR_LIFETIME_MS = 15_000;

/** Short-lived notices: what just succeeded or failed, with the request id when there was one. */
export function makeToasts() {
  const [list, setList] = createStore<Toast[]>([]);
  let next = 1;
  const dismiss = (id: number) => setList((l) => l.filter((t) => t.id !== id));
  const push = (kind: Toast['kind'], message: string, requestId?: string) => {
    const id = next++;
    setList((l) => [...l, { id, kind, message, requestId }]);
    setTimeout(() => dismiss(id), kind === 'error' ? ERROR_LIFETIME_MS : LIFETIME_MS);
  };
  return {
    list,
    dismiss,
    info: (m: string, requestId?: string) => push('info', m, requestId),
    success: (m: string, requestId?: string) => push('success', m, requestId),
    /** A toast of any kind, for outcomes that are partly good (an import with refused rows). */
    report: (kind: Toast['kind'], m: string, requestId?: string) => push(kind, m, requestId),
    /** An `ApiError` shows the server's message and its request id; `prefix` says what failed. */
    error: (err: unknown, prefix?: string) => {
      const message =
        err instanceof ApiError ? err.message : typeof err === 'string' ? err : describeError(err);
      const requestId = err instanceof ApiError ? err.requestId : undefined;
      push('error', prefix ? `${prefix}: ${message}` : message, requestId);
    },
  };
}
