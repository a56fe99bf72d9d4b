import { A } from '@solidjs/router';
import { For } from 'solid-js';
import { Icon, type IconName } from './icons.tsx';

const items: { href: string; label: string; icon: IconName; end?: boolean }[] = [
  { href: '/', label: 'Dashboard', icon: 'dashboard', end: true },
  { href: '/connections', label: 'Connections', icon: 'connections' },
  { href: '/browser', label: 'Browser', icon: 'browser' },
  { href: '/query', label: 'Query', icon: 'query' },
  { href: '/documents', label: 'Documents', icon: 'documents' },
  { href: '/hosted', label: 'Hosted SQLite', icon: 'connections' },
  { href: '/audit', label: 'Audit', icon: 'audit' },
  { href: '/settings', label: 'Settings', icon: 'settings' },
];

export function Nav() {
  return (
    <nav class="sidebar" id="main-nav" aria-label="Main">
      <For each={items}>
        {(item) => (
          <A href={item.href} end={item.end ?? false} activeClass="active" inactiveClass="">
            <Icon name={item.icon} />
            {item.label}
          </A>
        )}
      </For>
    </nav>
  );
}
