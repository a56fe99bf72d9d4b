import type { FormState } from './connection-form-model.ts';

type Setter = (key: 'readOnlyUser' | 'readOnlyPassword') => (e: { currentTarget: HTMLInputElement }) => void;

/** The connection form's read-only login: the user and password viewers and read-only runs connect as. */
export function ReadOnlyLoginFields(props: { form: FormState; set: Setter; passwordRequired: boolean }) {
  return (
    <fieldset class="field span-6" style={{ border: 0, padding: 0, margin: 0 }}>
      <span>Read-only login (for viewers)</span>
      <div class="form-grid">
        <label class="field span-3">
          <span>Read-only user</span>
          <input
            name="readOnlyUser"
            autocomplete="off"
            value={props.form.readOnlyUser}
            onInput={props.set('readOnlyUser')}
          />
        </label>
        <label class="field span-3">
          <span>Read-only password</span>
          <input
            name="readOnlyPassword"
            type="password"
            autocomplete="new-password"
            required={props.passwordRequired}
            placeholder={
              props.passwordRequired ? 'Required' : props.form.savedReadOnlyUser ? '•••••• (unchanged)' : ''
            }
            value={props.form.readOnlyPassword}
            onInput={props.set('readOnlyPassword')}
          />
        </label>
      </div>
      <span class="hint">
        Viewers and every read-only run connect as this login, so the database itself keeps them to reading.
        Grant it only SELECT. Leave empty to run them as the login above.
      </span>
    </fieldset>
  );
}
