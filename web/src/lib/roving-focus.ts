/**
 * Makes the buttons inside `container` a single Tab stop, as the ARIA tree pattern asks: Tab
 * enters and leaves the tree in one press, and the arrow keys (Home/End too) move between its
 * rows. Without it a schema of hundreds of tables is hundreds of Tab presses between the
 * connection picker and the table's tabs. Returns the clean-up.
 */
export function rovingFocus(container: HTMLElement): () => void {
  let current: HTMLElement | null = null;
  // Rows of collapsed branches are not rendered, so every button present is a visible row.
  const items = () => [...container.querySelectorAll<HTMLElement>('button')];
  const apply = () => {
    const list = items();
    if (!current || !list.includes(current)) current = list[0] ?? null;
    for (const item of list) item.tabIndex = item === current ? 0 : -1;
  };
  const onFocusIn = (e: FocusEvent) => {
    if (!(e.target instanceof HTMLElement) || e.target.tagName !== 'BUTTON') return;
    current = e.target;
    apply();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    const list = items();
    const at = current ? list.indexOf(current) : -1;
    const next =
      e.key === 'Home'
        ? 0
        : e.key === 'End'
          ? list.length - 1
          : e.key === 'ArrowDown'
            ? Math.min(at + 1, list.length - 1)
            : Math.max(at - 1, 0);
    list[next]?.focus();
    e.preventDefault();
  };
  // Branches open and pages load after mount: keep exactly one row tabbable as rows come and go.
  const observer = new MutationObserver(apply);
  observer.observe(container, { childList: true, subtree: true });
  container.addEventListener('focusin', onFocusIn);
  container.addEventListener('keydown', onKeyDown);
  apply();
  return () => {
    observer.disconnect();
    container.removeEventListener('focusin', onFocusIn);
    container.removeEventListener('keydown', onKeyDown);
  };
}
