-- Reverts 20261121100000_advisories.
DROP TABLE IF EXISTS advisory_packages;
DROP TABLE IF EXISTS advisories;
