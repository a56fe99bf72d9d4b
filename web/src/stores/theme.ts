import { createSignal, onCleanup } from 'solid-js';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'atrium.theme';

function read(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    // Storage can be blocked (privacy mode); the system preference still applies.
    return 'system';
  }
}

/** `system` leaves the attribute off so the CSS media query decides. */
function apply(choice: ThemeChoice) {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

/** Theme choice persisted in localStorage; applied as `data-theme` on <html>; follows the OS while `system`. */
export function createTheme() {
  const [choice, setChoice] = createSignal<ThemeChoice>(read());
  apply(choice());
  const media = matchMedia('(prefers-color-scheme: dark)');
  const [systemDark, setSystemDark] = createSignal(media.matches);
  const onChange = (e: MediaQueryListEvent) => setSystemDark(e.matches);
  media.addEventListener('change', onChange);
  onCleanup(() => media.removeEventListener('change', onChange));
  const dark = () => choice() === 'dark' || (choice() === 'system' && systemDark());
  return {
    choice,
    dark,
    set(next: ThemeChoice) {
      setChoice(next);
      apply(next);
      try {
        if (next === 'system') localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, next);
      } catch {
        // See read(): not persisting is acceptable, the choice still holds for this tab.
      }
    },
    toggle() {
      this.set(dark() ? 'light' : 'dark');
    },
  };
}
