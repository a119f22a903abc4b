-- Reverts 20261203121600_image_uploads.
DROP TABLE IF EXISTS image_upload_chunks;
DROP TABLE IF EXISTS image_uploads;
