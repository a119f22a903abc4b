-- Webhook notifications. Takes: users. Leaves: a per-user signing secret beside users.webhook_url.
ALTER TABLE users ADD COLUMN webhook_secret text;
