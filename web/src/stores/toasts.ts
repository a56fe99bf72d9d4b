import { createStore } from 'solid-js/store';

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  message: string;
}

const LIFETIME_MS = 6000;

/** Short-lived notices (e.g. an optimistic change that the server refused). */
export function makeToasts() {
  const [list, setList] = createStore<Toast[]>([]);
  let next = 1;
  const dismiss = (id: number) => setList((l) => l.filter((t) => t.id !== id));
  const push = (kind: Toast['kind'], message: string) => {
    const id = next++;
    setList((l) => [...l, { id, kind, message }]);
    setTimeout(() => dismiss(id), LIFETIME_MS);
  };
  return {
    list,
    dismiss,
    info: (m: string) => push('info', m),
    success: (m: string) => push('success', m),
    error: (m: string) => push('error', m),
  };
}
