import { A, Navigate, type RouteSectionProps, useLocation } from '@solidjs/router';
import {
  createEffect,
  createSignal,
  type JSX,
  Match,
  on,
  onCleanup,
  onMount,
  Show,
  Suspense,
  Switch,
} from 'solid-js';
import { useStore } from '../stores/index.tsx';
import { CommandPalette } from './command-palette.tsx';
import { Icon } from './icons.tsx';
import { Nav } from './nav.tsx';
import { OrgSwitcher } from './org-switcher.tsx';
import { StatusIndicator } from './status-indicator.tsx';
import { ThemeToggle } from './theme-toggle.tsx';

function Brand() {
  return (
    <A href="/" class="brand">
      <span class="brand-mark" aria-hidden="true" />
      <span class="brand-name">Atrium</span>
    </A>
  );
}

function UserMenu() {
  const { session } = useStore();
  return (
    <div class="user-menu">
      <span class="muted" data-testid="current-user">
        {session.me()?.user.email}
      </span>
      <button type="button" class="small" onClick={() => session.signOut()}>
        Sign out
      </button>
    </div>
  );
}

/** Everything behind sign-in: top bar, sidebar, and the routed page. */
export function AppLayout(props: RouteSectionProps) {
  const { session } = useStore();
  const location = useLocation();
  const next = () => encodeURIComponent(location.pathname + location.search);
  // Below the tablet breakpoint (responsive.css) the sidebar is a menu; on wider screens this
  // state is ignored because the toggle is hidden and the sidebar always shows.
  const [menuOpen, setMenuOpen] = createSignal(false);
  let toggle: HTMLButtonElement | undefined;
  createEffect(
    on(
      () => location.pathname,
      () => setMenuOpen(false),
      { defer: true },
    ),
  );
  const closeMenu = () => {
    setMenuOpen(false);
    toggle?.focus();
  };
  // Escape, or a tap on the dimmed page beside the open menu, closes it (listeners on the document
  // so the backdrop stays a purely visual element).
  onMount(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && menuOpen()) closeMenu();
    };
    const onPointer = (e: PointerEvent) => {
      if (menuOpen() && (e.target as Element | null)?.classList.contains('nav-backdrop')) closeMenu();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    onCleanup(() => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    });
  });
  return (
    <Switch fallback={<div class="auth-screen muted">Loading…</div>}>
      <Match when={session.me.error}>
        <div class="auth-screen">
          <div class="card auth-card">
            <h1>Atrium cannot reach its API</h1>
            <p class="alert error">{String((session.me.error as Error)?.message ?? session.me.error)}</p>
            <button type="button" onClick={() => session.refresh()}>
              Retry
            </button>
          </div>
        </div>
      </Match>
      <Match when={session.signedIn() === false}>
        <Navigate href={`/sign-in?next=${next()}`} />
      </Match>
      <Match when={session.signedIn()}>
        <div class="shell" classList={{ 'nav-open': menuOpen() }}>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="topbar">
            <button
              type="button"
              class="ghost menu-toggle"
              ref={toggle}
              aria-label="Menu"
              aria-expanded={menuOpen()}
              aria-controls="main-nav"
              onClick={() => setMenuOpen(!menuOpen())}
            >
              <Icon name={menuOpen() ? 'close' : 'menu'} />
            </button>
            <Brand />
            <OrgSwitcher />
            <span class="grow" />
            <StatusIndicator />
            <ThemeToggle />
            <UserMenu />
          </header>
          <Nav />
          <Show when={menuOpen()}>
            <div class="nav-backdrop" aria-hidden="true" />
          </Show>
          <main class="main" id="main" tabindex="-1">
            <Suspense fallback={<div class="page muted">Loading…</div>}>{props.children}</Suspense>
          </main>
          <CommandPalette />
        </div>
      </Match>
    </Switch>
  );
}

/** Sign-in, sign-up and invitation pages: one centered card, health and theme in the corner. */
export function AuthScreen(props: { title: string; children: JSX.Element; footer?: JSX.Element }) {
  return (
    <div class="auth-screen">
      <div class="row" style={{ position: 'fixed', top: '10px', right: '12px' }}>
        <StatusIndicator />
        <ThemeToggle />
      </div>
      <div class="card auth-card">
        <Brand />
        <h1>{props.title}</h1>
        {props.children}
        <Show when={props.footer}>
          <div class="muted">{props.footer}</div>
        </Show>
      </div>
    </div>
  );
}
