-- Reverts 20261203130000_webhook_deliveries.
DROP TABLE IF EXISTS webhook_deliveries;
