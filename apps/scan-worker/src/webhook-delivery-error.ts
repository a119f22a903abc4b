/** A delivery attempt that failed in a way a later attempt may not (BullMQ retries it with back-off). */
export class WebhookDeliveryError extends Error {
  readonly code = "webhook_delivery_failed";
}
