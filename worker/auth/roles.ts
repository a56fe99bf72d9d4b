import { ROOM_ROLES } from '../../durable-objects/protocol.ts';

/**
 * Member roles, lowest first: each has everything the one below it has. The list lives in the
 * room protocol (shared with web/ and the document room), so the rooms rank roles as the policy does.
 */
export const ROLES = ROOM_ROLES;
export type Role = (typeof ROLES)[number];
