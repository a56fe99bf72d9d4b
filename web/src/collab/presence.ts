/** A stable color per user, so the same person keeps the same cursor color everywhere. */
const COLORS = ['#e0457b', '#2f6fde', '#1f9d55', '#c27c0e', '#8e6cff', '#17a2b8', '#d0393e', '#6b8e23'];

export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length]!;
}

export interface PresenceUser {
  clientId: number;
  name: string;
  color: string;
  self: boolean;
}

export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('') || '?';
