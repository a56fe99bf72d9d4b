import { z } from '@hono/zod-openapi';
import { ROLES } from './policy.ts';

/** Shapes shared by the account, organization and token routes (and so by the OpenAPI document). */

export const RoleSchema = z.enum(ROLES).openapi('Role', { example: 'editor' });

export const EmailSchema = z
  .email()
  .max(254)
  .transform((email) => email.toLowerCase())
  .openapi({ example: 'ada@example.com' });

export const UserSchema = z.object({ id: z.string(), email: z.string(), name: z.string() }).openapi('User');

export const OrgSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    personal: z.boolean(),
    role: RoleSchema,
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Organization');

export const OkSchema = z.object({ ok: z.literal(true) }).openapi('Ok');

export const IdParam = (name: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name, in: 'path' }, example: 'k3v9x2…' });
