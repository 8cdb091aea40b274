import { z } from 'zod';
import { AgentRole, Environment, Locale, MAX_BODY_CHARS } from '@ajuda/protocol';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';

/** Bodies of the administration API (apps/server/src/admin/routes.ts). Unknown keys are refused. */

/** A team's, tier's or canned reply's id: lower-case letters, digits, `-` and `_`. */
export const Slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _ (1–64, starting with a letter or digit)');
const Name = z.string().trim().min(1).max(120);
const Languages = z.array(Locale).min(1).max(3).transform((l) => [...new Set(l)]);
const Teams = z.array(Slug).max(50).transform((t) => [...new Set(t)]);

export const AgentCreate = z.strictObject({
  email: z.email().max(200).transform((e) => e.toLowerCase()),
  name: Name,
  role: AgentRole,
  languages: Languages,
  teams: Teams.default([]),
  /** Set a first password at once; without it the answer carries a one-time set-password link (an invitation). */
  password: z.string().max(MAX_PASSWORD_LENGTH).optional(),
});
export const AgentPatch = z
  .strictObject({ name: Name.optional(), role: AgentRole.optional(), languages: Languages.optional(), teams: Teams.optional() })
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');

export const TeamCreate = z.strictObject({ id: Slug.optional(), name: Name });
export const TeamRename = z.strictObject({ name: Name });

export const Shortcut = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, - and _ (1–32)');
export const CannedCreate = z.strictObject({
  language: Locale,
  shortcut: Shortcut,
  title: z.string().trim().min(1).max(120),
  body: z.string().trim().min(1).max(MAX_BODY_CHARS),
});
export const CannedPatch = CannedCreate.partial().refine((p) => Object.keys(p).length > 0, 'nothing to change');

const Minutes = z.number().int().min(1).max(525_600);
const Targets = z.strictObject({ firstResponseMin: Minutes, nextResponseMin: Minutes, resolutionMin: Minutes });
export const SlaTierPut = z.strictObject({
  name: Name,
  targets: z.strictObject({ P1: Targets, P2: Targets, P3: Targets, P4: Targets }),
});

const Contract = z.object({ emailDomains: z.array(z.string().max(200)).max(1000), active: z.boolean(), tier: Slug.optional() });
export const RealmBody = z.object({
  id: z.string().min(1).max(64).optional(),
  name: z.string().min(1).max(200),
  contract: Contract.nullable().optional(),
  projects: z.array(z.object({ id: z.string().min(1).max(64), name: z.string().max(200), ongoing: z.boolean(), team: z.string().max(100).nullable() })).max(1000),
  pipelines: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        name: z.string().max(200),
        key: z.string().max(200),
        environment: Environment,
        status: z.string().max(40),
        projectId: z.string().max(64).nullable(),
        inProjectPhase: z.boolean(),
      }),
    )
    .max(5000),
});
export const RealmLoad = z.array(RealmBody.extend({ id: z.string().min(1).max(64) })).max(10_000);

export const SetPassword = z.strictObject({ token: z.string().min(1).max(200), password: z.string().max(MAX_PASSWORD_LENGTH) });
export const InviteLookup = z.strictObject({ token: z.string().min(1).max(200) });
