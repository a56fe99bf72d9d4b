import { useNavigate } from '@solidjs/router';
import { For } from 'solid-js';
import { useStore } from '../stores/index.tsx';

const NEW = '__new__';

/** Switches the session's active organization; "New organization…" opens the form in Settings. */
export function OrgSwitcher() {
  const { session, toasts } = useStore();
  const navigate = useNavigate();

  async function onChange(e: Event & { currentTarget: HTMLSelectElement }) {
    const select = e.currentTarget;
    const value = select.value;
    try {
      if (value === NEW) {
        select.value = session.activeOrg()?.id ?? '';
        navigate('/settings/organization');
      } else {
        await session.switchOrg(value);
      }
    } catch (err) {
      select.value = session.activeOrg()?.id ?? '';
      toasts.error(err);
    }
  }

  return (
    <label class="row">
      <span class="sr-only">Organization</span>
      <select
        data-testid="org-switcher"
        value={session.activeOrg()?.id ?? ''}
        disabled={session.busy()}
        onChange={onChange}
      >
        <For each={session.me()?.orgs ?? []}>
          {(org) => (
            <option value={org.id}>
              {org.name} · {org.role}
            </option>
          )}
        </For>
        <option value={NEW}>New organization…</option>
      </select>
    </label>
  );
}
