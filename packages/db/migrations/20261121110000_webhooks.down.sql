-- Reverts 20261121110000_webhooks.
ALTER TABLE users DROP COLUMN IF EXISTS webhook_secret;
