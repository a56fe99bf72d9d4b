/**
 * A stable colour per user, so the same person keeps the same cursor colour everywhere.
 * Shared by the room (which stamps it on presence) and the web app; no imports so `web/`
 * can use it as is.
 */
const COLORS = ['#e0457b', '#2f6fde', '#1f9d55', '#c27c0e', '#8e6cff', '#17a2b8', '#d0393e', '#6b8e23'];

export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length]!;
}
