import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitStack, type UnitStack } from '../../../test/fake-io.ts';
import { createGrant, realmHandlers, revokeGrant } from './handlers.ts';

let u: UnitStack;
beforeAll(async () => {
  u = await unitStack();
});
afterAll(async () => {
  await u?.close();
});

describe('realm handlers (fake reply port)', () => {
  it('R12b: a realm user holding support.grant grants; the reply lists the new grant with the frame ref; revoking it marks it revoked', async () => {
    const io = u.realmUser('u_ana', ['support.grant']);
    await createGrant(u.svc, io, io.principal, { type: 'grant.create', ref: 'g1', level: 'write', minutes: 30 });
    const list = io.last('grant.list');
    expect(list.ref).toBe('g1');
    const g = list.grants.find((x) => x.level === 'write' && !x.revokedAt);
    expect(g).toBeDefined();
    await revokeGrant(u.svc, io, io.principal, { type: 'grant.revoke', ref: 'g2', grantId: g!.id });
    expect(io.last('grant.list').grants.find((x) => x.id === g!.id)?.revokedAt).toBeTruthy();
    await expect(revokeGrant(u.svc, io, io.principal, { type: 'grant.revoke', grantId: 'gr_missing' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('R12b: without the grant permission, forbidden; a visitor is refused by the table entry before the handler runs (R7)', async () => {
    const bruno = u.realmUser('u_bruno', []);
    await expect(createGrant(u.svc, bruno, bruno.principal, { type: 'grant.create', level: 'write', minutes: 30 })).rejects.toMatchObject({ code: 'forbidden' });
    const entry = realmHandlers.find((e) => e.type === 'grant.create')!;
    expect(entry.who).toEqual(['realm_user']);
    const v = await u.visitor();
    await expect(Promise.resolve().then(() => entry.run(u.svc, v, v.principal, { type: 'grant.create', level: 'write', minutes: 30 }, { takeStart: () => 0 }))).rejects.toMatchObject({ code: 'forbidden' });
  });
});
