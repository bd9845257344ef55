// The domain layer, room by room from the ground up (see src/domain/README.md).

export { isDatabaseUnavailable } from "./database-unavailable.ts";
export {
  db,
  disconnectDatabase,
  type Executor,
  pool,
  type Transaction,
  withTransaction,
} from "./db.ts";
export { decideSplitWinners } from "./domain/analytics/decide-split-winners.ts";
export { type RollUp, rollUpAnalytics } from "./domain/analytics/roll-up.ts";
export * from "./domain/catalog/archive-products.ts";
export * from "./domain/catalog/list-products.ts";
export * from "./domain/catalog/product-input.ts";
export * from "./domain/catalog/product-stubs.ts";
export * from "./domain/catalog/upsert-products.ts";
export { compileSegmentQuery } from "./domain/conditions/compile.ts";
export * from "./domain/conditions/filter.ts";
export {
  parsePropertyConditions,
  parseSegmentFilter,
} from "./domain/conditions/parse/parse-filter.ts";
export * from "./domain/contacts/contact-input.ts";
export * from "./domain/contacts/ensure-contacts.ts";
export * from "./domain/contacts/import-contacts.ts";
export * from "./domain/contacts/list-contacts.ts";
export * from "./domain/contacts/tag-contacts.ts";
export * from "./domain/contacts/upsert-contact.ts";
export * from "./domain/email-templates/engines.ts";
export * from "./domain/email-templates/template-library.ts";
export * from "./domain/email-templates/templates.ts";
export * from "./domain/events/event-input.ts";
export * from "./domain/events/event-names.ts";
export * from "./domain/events/ingest-events.ts";
export * from "./domain/events/rate-limit.ts";
export * from "./domain/events/record-events.ts";
export * from "./domain/events/record-internal-event.ts";
export * from "./domain/events/resolve-contacts.ts";
export * from "./domain/jobs/add-job.ts";
export * from "./domain/jobs/catalogue.ts";
export * from "./domain/jobs/dead-workers.ts";
export * from "./domain/messages/compose/email-links.ts";
export * from "./domain/messages/compose/mime-message.ts";
export * from "./domain/messages/delivery/deliver-message.ts";
export * from "./domain/messages/delivery/email-services.ts";
export * from "./domain/messages/email-settings.ts";
export * from "./domain/messages/engagement/ses-notifications.ts";
export * from "./domain/messages/providers/email-sender.ts";
export * from "./domain/messages/providers/ses-email-sender.ts";
export * from "./domain/messages/queue/queue-email.ts";
export * from "./domain/messages/queue/queue-emails.ts";
export * from "./domain/messages/queue/send-job.ts";
export * from "./domain/orders/abandon-carts.ts";
export * from "./domain/orders/convert-carts.ts";
export * from "./domain/orders/fold-cart.ts";
export * from "./domain/orders/list-carts.ts";
export * from "./domain/orders/list-orders.ts";
export * from "./domain/orders/order-input.ts";
export * from "./domain/orders/order-settings.ts";
export * from "./domain/orders/order-write.ts";
export * from "./domain/orders/orders-from-events.ts";
export * from "./domain/orders/queue-commerce-replay.ts";
export * from "./domain/orders/record-cart-event.ts";
export * from "./domain/orders/record-carts.ts";
export * from "./domain/orders/replay-commerce-history.ts";
export * from "./domain/orders/upsert-orders.ts";
export * from "./domain/reactions/adjust-score.ts";
export * from "./domain/reactions/decay-scores.ts";
export * from "./domain/reactions/react-to-contact-change.ts";
export * from "./domain/reactions/react-to-event.ts";
export * from "./domain/reactions/record-shopping-facts.ts";
export * from "./domain/recommendations/fold-contributions.ts";
export * from "./domain/recommendations/rebuild-graphs.ts";
export * from "./domain/recommendations/recommend-products.ts";
export * from "./domain/recommendations/recommendation-request.ts";
export * from "./domain/recommendations/refresh-neighbours.ts";
export * from "./domain/scenarios/definition/definition.ts";
export * from "./domain/scenarios/definition/validate-definition.ts";
export * from "./domain/scenarios/runs/advance-run.ts";
export * from "./domain/scenarios/runs/schedule.ts";
export * from "./domain/scenarios/runs/start-scenario.ts";
export * from "./domain/scenarios/runs/webhook.ts";
export * from "./domain/scenarios/scenarios.ts";
export * from "./domain/scenarios/stats.ts";
export * from "./domain/scenarios/triggers/date-triggers.ts";
export * from "./domain/scores/decay.ts";
export * from "./domain/scores/rules.ts";
export * from "./domain/segments/errors.ts";
export * from "./domain/segments/explain.ts";
export * from "./domain/segments/incremental.ts";
export * from "./domain/segments/playbook.ts";
export * from "./domain/segments/preview.ts";
export * from "./domain/segments/refresh.ts";
export * from "./domain/segments/refresh-order-segments.ts";
export * from "./domain/segments/segments.ts";
export * from "./domain/shared/errors.ts";
export * from "./domain/shared/money.ts";
export * from "./domain/tags/tags.ts";
export * from "./domain/workspaces/allowed-origins.ts";
export * from "./domain/workspaces/api-keys.ts";
export * from "./domain/workspaces/workspace-currency.ts";
export * from "./domain/workspaces/workspaces.ts";
