import { useStore } from '../stores/index.tsx';
import { Icon } from './icons.tsx';

export function ThemeToggle() {
  const { theme } = useStore();
  const label = () => (theme.dark() ? 'Switch to light theme' : 'Switch to dark theme');
  return (
    <button type="button" class="ghost" aria-label={label()} title={label()} onClick={() => theme.toggle()}>
      <Icon name={theme.dark() ? 'sun' : 'moon'} />
    </button>
  );
}
