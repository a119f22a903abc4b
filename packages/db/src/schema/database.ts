import type { Kysely, Transaction } from "kysely";
import type { AdvisoriesTable, AdvisoryPackagesTable } from "./advisories.table.js";
import type { AdvisoryPackageRevisionsTable, AdvisoryRevisionTable } from "./advisory-revisions.table.js";
import type { AdvisorySyncStateTable } from "./advisory-sync-state.table.js";
import type { ApiKeysTable } from "./api-keys.table.js";
import type { ApiUsageTable } from "./api-usage.table.js";
import type { IdempotencyKeysTable } from "./idempotency-keys.table.js";
import type { ImageUploadChunksTable, ImageUploadsTable } from "./image-uploads.table.js";
import type { OutboxTable } from "./outbox.table.js";
import type { ScanInputsTable } from "./scan-inputs.table.js";
import type { ScanResultsTable } from "./scan-results.table.js";
import type { ScansTable } from "./scans.table.js";
import type { UsersTable } from "./users.table.js";
import type { WebhookDeliveriesTable } from "./webhook-deliveries.table.js";

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  scans: ScansTable;
  scan_results: ScanResultsTable;
  scan_inputs: ScanInputsTable;
  outbox: OutboxTable;
  api_usage: ApiUsageTable;
  idempotency_keys: IdempotencyKeysTable;
  advisories: AdvisoriesTable;
  advisory_packages: AdvisoryPackagesTable;
  advisory_revision: AdvisoryRevisionTable;
  advisory_package_revisions: AdvisoryPackageRevisionsTable;
  advisory_sync_state: AdvisorySyncStateTable;
  image_uploads: ImageUploadsTable;
  image_upload_chunks: ImageUploadChunksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type Db = Kysely<Database>;
/** A query executor: the pool-backed Db or an open transaction. Queries take this first. */
export type DbExecutor = Kysely<Database> | Transaction<Database>;
