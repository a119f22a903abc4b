/**
 * Postgres NOTIFY channel on which the scan-worker announces a finished run (payload: the run's job id),
 * sent inside the transaction that finishes it; the API's `?wait` polls LISTEN to it.
 */
export const SCAN_FINISHED_CHANNEL = "scan_finished";
