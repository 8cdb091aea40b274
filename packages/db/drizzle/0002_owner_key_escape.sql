-- Owner keys of realm users were `u:<realm>:<user>`, ambiguous when a realm id holds ':' (realm "acme:x" +
-- user "y" = realm "acme" + user "x:y"). The server now escapes '%' and ':' in the realm part (see
-- realmUserOwnerKey in apps/server/src/identity.ts); ordinary realm ids keep their key, the others are
-- re-keyed here from their own realm_id and user_id columns, with the same escaping.
UPDATE `conversations`
SET `owner_key` = 'u:' || replace(replace(`realm_id`, '%', '%25'), ':', '%3A') || ':' || `user_id`
WHERE `requester_kind` = 'realm_user' AND `realm_id` IS NOT NULL AND `user_id` IS NOT NULL
  AND (instr(`realm_id`, ':') > 0 OR instr(`realm_id`, '%') > 0);
