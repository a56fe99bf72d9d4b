/** `.dev.vars`: local secrets generated once, and older files gaining the ones they lack. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDevVars } from '../../dev/dev-vars.ts';

const dir = mkdtempSync(join(tmpdir(), 'atrium-dev-vars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureDevVars', () => {
  it('writes every local secret once, owner-only, and keeps them across calls', () => {
    const path = join(dir, 'fresh.dev.vars');
    const first = ensureDevVars(path);
    expect(first.LOCAL_ENDPOINTS_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(first.AUTH_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(ensureDevVars(path)).toEqual(first);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('adds the endpoint secret to a file from an older Atrium without touching the rest', () => {
    const path = join(dir, 'old.dev.vars');
    writeFileSync(path, 'AUTH_SECRET=kept\nVAULT_KEYS="dev1:kept"', { mode: 0o600 });
    const vars = ensureDevVars(path);
    expect(vars).toMatchObject({ AUTH_SECRET: 'kept', VAULT_KEYS: 'dev1:kept' });
    expect(readFileSync(path, 'utf8')).toBe(
      `AUTH_SECRET=kept\nVAULT_KEYS="dev1:kept"\nLOCAL_ENDPOINTS_SECRET=${vars.LOCAL_ENDPOINTS_SECRET}\n`,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
