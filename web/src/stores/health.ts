import { createSignal, onCleanup } from 'solid-js';
import { fetchHealth } from '../api/health.ts';
import type { Health } from '../api/types.ts';

export type HealthStatus = 'checking' | 'healthy' | 'unhealthy' | 'offline';

const POLL_MS = 15_000;

/** Polls /health while the owner lives; stops on cleanup. */
export function createHealth(pollMs = POLL_MS) {
  const [status, setStatus] = createSignal<HealthStatus>('checking');
  const [detail, setDetail] = createSignal<Health | null>(null);
  let controller: AbortController | undefined;

  async function check() {
    controller?.abort();
    controller = new AbortController();
    try {
      const health = await fetchHealth(controller.signal);
      setDetail(health);
      setStatus(health.ok ? 'healthy' : 'unhealthy');
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return;
      setDetail(null);
      setStatus('offline');
    }
  }

  void check();
  const timer = setInterval(check, pollMs);
  const onOnline = () => void check();
  window.addEventListener('online', onOnline);
  onCleanup(() => {
    clearInterval(timer);
    window.removeEventListener('online', onOnline);
    controller?.abort();
  });
  return { status, detail, check };
}
