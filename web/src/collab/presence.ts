// The room stamps this colour (and the member's name) on every presence state it relays.
export { colorFor } from '../../../durable-objects/member-color.ts';

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
