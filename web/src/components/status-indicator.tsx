import { useStore } from '../stores/index.tsx';

const labels = {
  checking: 'Checking…',
  healthy: 'Healthy',
  unhealthy: 'Unhealthy',
  offline: 'Offline',
} as const;

/** The server's own /health answer, polled; the dot colour and text never guess. */
export function StatusIndicator() {
  const { health } = useStore();
  const title = () => {
    const d = health.detail();
    if (!d) return health.status() === 'offline' ? 'The server did not answer' : 'Checking the server';
    const parts = [`database ${d.database}`, `version ${d.version}`, `build ${d.build}`];
    if (d.latencyMs !== undefined) parts.push(`${d.latencyMs} ms`);
    if (d.error) parts.push(d.error);
    return parts.join(' · ');
  };
  const dot = () => {
    const s = health.status();
    return s === 'healthy' ? 'ok' : s === 'checking' ? '' : 'bad';
  };
  return (
    <button
      type="button"
      class="status ghost"
      data-testid="health-status"
      data-status={health.status()}
      title={title()}
      aria-live="polite"
      onClick={() => health.check()}
    >
      <span class={`dot ${dot()}`} aria-hidden="true" />
      <span>{labels[health.status()]}</span>
    </button>
  );
}
