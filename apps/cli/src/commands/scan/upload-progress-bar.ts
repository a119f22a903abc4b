import cliProgress from "cli-progress";
import type { UploadProgress } from "./scan-client.js";

/** A progress bar on stderr for archive uploads, one upload at a time (ScanClient's `onUploadProgress`). */
export function uploadProgressBar(): (progress: UploadProgress) => void {
  const bar = new cliProgress.SingleBar(
    { format: "uploading {file} [{bar}] {percentage}% of {size}", stream: process.stderr, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return ({ file, sentBytes, totalBytes, done }) => {
    if (done) {
      if (running) bar.stop();
      running = false;
    } else if (!running) {
      bar.start(totalBytes, sentBytes, { file, size: `${(totalBytes / 1024 / 1024).toFixed(1)} MiB` });
      running = true;
    } else {
      bar.update(sentBytes);
    }
  };
}
