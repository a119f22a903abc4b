-- Reverts 20261121000000_initial: drops every table it created.
DROP TABLE IF EXISTS idempotency_keys;
DROP TABLE IF EXISTS api_usage;
DROP TABLE IF EXISTS outbox;
DROP TABLE IF EXISTS scan_inputs;
DROP TABLE IF EXISTS scans;
DROP TABLE IF EXISTS scan_results;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS users;
