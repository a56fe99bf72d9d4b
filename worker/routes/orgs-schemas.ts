import { z } from '@hono/zod-openapi';
import { IdParam, RoleSchema } from '../auth/schemas.ts';
import { jsonContent } from '../openapi.ts';

/** Shapes of the organization, member and invitation routes (and so of the OpenAPI document). */

export const security = [{ bearer: [] }];
export const tags = ['organizations'];

export const OrgParams = z.object({ orgId: IdParam('orgId') });
export const MemberParams = z.object({ orgId: IdParam('orgId'), userId: IdParam('userId') });
export const InvitationParams = z.object({
  orgId: IdParam('orgId'),
  invitationId: IdParam('invitationId'),
});
export const NameBody = z.strictObject({ name: z.string().trim().min(1).max(100) }).openapi('OrgName');
export const jsonBody = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

export const MemberSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    joinedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Member');

export const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: RoleSchema,
    status: z.enum(['pending', 'accepted', 'revoked']),
    expiresAt: z.string().openapi({ format: 'date-time' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Invitation');

export const CreatedInvitationSchema = z
  .object({
    invitation: InvitationSchema,
    token: z.string().openapi({ description: 'One-time secret, shown only in this response' }),
    url: z.string().openapi({ description: 'The link to hand to the invitee: `<origin>/invite/<token>`' }),
  })
  .openapi('CreatedInvitation');

export const ActiveOrgSchema = z
  .object({ activeOrg: z.object({ id: z.string(), name: z.string(), role: RoleSchema }) })
  .openapi('ActiveOrg');

export const LastOwnerConflict = jsonContent(z.unknown(), 'Would leave the organization without an owner');
