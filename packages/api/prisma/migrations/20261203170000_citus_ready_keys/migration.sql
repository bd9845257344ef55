-- DropForeignKey
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "contacts" DROP CONSTRAINT "contacts_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "tags" DROP CONSTRAINT "tags_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "contact_tags" DROP CONSTRAINT "contact_tags_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "contact_tags" DROP CONSTRAINT "contact_tags_tag_id_fkey";

-- DropForeignKey
ALTER TABLE "events" DROP CONSTRAINT "events_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "events" DROP CONSTRAINT "events_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "anonymous_identities" DROP CONSTRAINT "anonymous_identities_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "anonymous_identities" DROP CONSTRAINT "anonymous_identities_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "templates" DROP CONSTRAINT "templates_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "template_versions" DROP CONSTRAINT "template_versions_template_id_fkey";

-- DropForeignKey
ALTER TABLE "messages" DROP CONSTRAINT "messages_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "messages" DROP CONSTRAINT "messages_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "messages" DROP CONSTRAINT "messages_template_id_fkey";

-- DropForeignKey
ALTER TABLE "messages" DROP CONSTRAINT "messages_template_version_id_fkey";

-- DropForeignKey
ALTER TABLE "workspace_email_settings" DROP CONSTRAINT "workspace_email_settings_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "email_send_buckets" DROP CONSTRAINT "email_send_buckets_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "email_suppressions" DROP CONSTRAINT "email_suppressions_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "scoring_rules" DROP CONSTRAINT "scoring_rules_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "score_changes" DROP CONSTRAINT "score_changes_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "score_changes" DROP CONSTRAINT "score_changes_rule_id_fkey";

-- DropForeignKey
ALTER TABLE "score_decay_policies" DROP CONSTRAINT "score_decay_policies_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "segments" DROP CONSTRAINT "segments_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "segment_memberships" DROP CONSTRAINT "segment_memberships_segment_id_fkey";

-- DropForeignKey
ALTER TABLE "segment_memberships" DROP CONSTRAINT "segment_memberships_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "scenarios" DROP CONSTRAINT "scenarios_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "scenarios" DROP CONSTRAINT "scenarios_live_version_id_fkey";

-- DropForeignKey
ALTER TABLE "scenario_versions" DROP CONSTRAINT "scenario_versions_scenario_id_fkey";

-- DropForeignKey
ALTER TABLE "scenario_runs" DROP CONSTRAINT "scenario_runs_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "scenario_runs" DROP CONSTRAINT "scenario_runs_scenario_id_fkey";

-- DropForeignKey
ALTER TABLE "scenario_runs" DROP CONSTRAINT "scenario_runs_version_id_fkey";

-- DropForeignKey
ALTER TABLE "scenario_runs" DROP CONSTRAINT "scenario_runs_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "scenario_steps" DROP CONSTRAINT "scenario_steps_run_id_fkey";

-- DropForeignKey
ALTER TABLE "products" DROP CONSTRAINT "products_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "product_variants" DROP CONSTRAINT "product_variants_product_id_fkey";

-- DropForeignKey
ALTER TABLE "orders" DROP CONSTRAINT "orders_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "orders" DROP CONSTRAINT "orders_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "order_lines" DROP CONSTRAINT "order_lines_order_id_fkey";

-- DropForeignKey
ALTER TABLE "order_refunds" DROP CONSTRAINT "order_refunds_order_id_fkey";

-- DropForeignKey
ALTER TABLE "carts" DROP CONSTRAINT "carts_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "carts" DROP CONSTRAINT "carts_contact_id_fkey";

-- DropForeignKey
ALTER TABLE "carts" DROP CONSTRAINT "carts_converted_order_id_fkey";

-- DropForeignKey
ALTER TABLE "cart_lines" DROP CONSTRAINT "cart_lines_cart_id_fkey";

-- DropForeignKey
ALTER TABLE "recommendation_contributions" DROP CONSTRAINT "recommendation_contributions_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "recommendation_product_counts" DROP CONSTRAINT "recommendation_product_counts_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "recommendation_pairs" DROP CONSTRAINT "recommendation_pairs_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "recommendation_neighbours" DROP CONSTRAINT "recommendation_neighbours_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "message_touches" DROP CONSTRAINT "message_touches_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "message_touches" DROP CONSTRAINT "message_touches_message_id_fkey";

-- DropForeignKey
ALTER TABLE "attribution_settings" DROP CONSTRAINT "attribution_settings_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "marketing_spend" DROP CONSTRAINT "marketing_spend_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "scenario_split_winners" DROP CONSTRAINT "scenario_split_winners_scenario_id_fkey";

-- DropForeignKey
ALTER TABLE "visitor_sessions" DROP CONSTRAINT "visitor_sessions_workspace_id_fkey";

-- DropIndex
DROP INDEX "contact_tags_tag_id_contact_id_idx";

-- DropIndex
DROP INDEX "template_versions_template_id_version_key";

-- DropIndex
DROP INDEX "messages_ses_message_id_key";

-- DropIndex
DROP INDEX "scenarios_live_version_id_key";

-- DropIndex
DROP INDEX "scenario_versions_scenario_id_version_key";

-- DropIndex
DROP INDEX "scenario_runs_scenario_id_trigger_event_id_key";

-- DropIndex
DROP INDEX "scenario_steps_run_id_seq_key";

-- DropIndex
DROP INDEX "product_variants_product_id_shop_variant_id_key";

-- DropIndex
DROP INDEX "order_refunds_order_id_refund_key_key";

-- AlterTable
ALTER TABLE "contacts" DROP CONSTRAINT "contacts_pkey",
ADD CONSTRAINT "contacts_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "tags" DROP CONSTRAINT "tags_pkey",
ADD CONSTRAINT "tags_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
-- Existing rows take the workspace of their contact (a tag is always the contact's workspace's).
ALTER TABLE "contact_tags" ADD COLUMN "workspace_id" UUID;
UPDATE "contact_tags" AS ct SET "workspace_id" = c."workspace_id" FROM "contacts" AS c WHERE c."id" = ct."contact_id";
ALTER TABLE "contact_tags" ALTER COLUMN "workspace_id" SET NOT NULL,
DROP CONSTRAINT "contact_tags_pkey",
ADD CONSTRAINT "contact_tags_pkey" PRIMARY KEY ("workspace_id", "contact_id", "tag_id");

-- AlterTable
ALTER TABLE "events" DROP CONSTRAINT "events_pkey",
ADD CONSTRAINT "events_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "templates" DROP CONSTRAINT "templates_pkey",
ADD CONSTRAINT "templates_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "template_versions" DROP CONSTRAINT "template_versions_pkey",
ADD CONSTRAINT "template_versions_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "messages" DROP CONSTRAINT "messages_pkey",
ADD CONSTRAINT "messages_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "scoring_rules" DROP CONSTRAINT "scoring_rules_pkey",
ADD CONSTRAINT "scoring_rules_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "score_changes" DROP CONSTRAINT "score_changes_pkey",
ADD CONSTRAINT "score_changes_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "segments" DROP CONSTRAINT "segments_pkey",
ADD CONSTRAINT "segments_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "segment_memberships" DROP CONSTRAINT "segment_memberships_pkey",
ADD CONSTRAINT "segment_memberships_pkey" PRIMARY KEY ("workspace_id", "segment_id", "contact_id");

-- AlterTable
ALTER TABLE "scenarios" DROP CONSTRAINT "scenarios_pkey",
ADD CONSTRAINT "scenarios_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "scenario_versions" DROP CONSTRAINT "scenario_versions_pkey",
ADD CONSTRAINT "scenario_versions_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "scenario_runs" DROP CONSTRAINT "scenario_runs_pkey",
ADD CONSTRAINT "scenario_runs_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "scenario_steps" DROP CONSTRAINT "scenario_steps_pkey",
ADD CONSTRAINT "scenario_steps_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "products" DROP CONSTRAINT "products_pkey",
ADD CONSTRAINT "products_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "product_variants" DROP CONSTRAINT "product_variants_pkey",
ADD CONSTRAINT "product_variants_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "orders" DROP CONSTRAINT "orders_pkey",
ADD CONSTRAINT "orders_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "order_lines" DROP CONSTRAINT "order_lines_pkey",
ADD CONSTRAINT "order_lines_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "order_refunds" DROP CONSTRAINT "order_refunds_pkey",
ADD CONSTRAINT "order_refunds_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "carts" DROP CONSTRAINT "carts_pkey",
ADD CONSTRAINT "carts_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "cart_lines" DROP CONSTRAINT "cart_lines_pkey",
ADD CONSTRAINT "cart_lines_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "recommendation_contributions" DROP CONSTRAINT "recommendation_contributions_pkey",
ADD CONSTRAINT "recommendation_contributions_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
ALTER TABLE "message_touches" DROP CONSTRAINT "message_touches_pkey",
ADD CONSTRAINT "message_touches_pkey" PRIMARY KEY ("id", "workspace_id");

-- AlterTable
-- Existing rows take the workspace of their scenario.
ALTER TABLE "scenario_split_winners" ADD COLUMN "workspace_id" UUID;
UPDATE "scenario_split_winners" AS w SET "workspace_id" = s."workspace_id" FROM "scenarios" AS s WHERE s."id" = w."scenario_id";
ALTER TABLE "scenario_split_winners" ALTER COLUMN "workspace_id" SET NOT NULL,
DROP CONSTRAINT "scenario_split_winners_pkey",
ADD CONSTRAINT "scenario_split_winners_pkey" PRIMARY KEY ("workspace_id", "scenario_id", "node_id");

-- CreateIndex
CREATE INDEX "contact_tags_workspace_id_tag_id_contact_id_idx" ON "contact_tags"("workspace_id", "tag_id", "contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "template_versions_workspace_id_template_id_version_key" ON "template_versions"("workspace_id", "template_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "messages_workspace_id_ses_message_id_key" ON "messages"("workspace_id", "ses_message_id");

-- CreateIndex
CREATE UNIQUE INDEX "scenarios_workspace_id_live_version_id_key" ON "scenarios"("workspace_id", "live_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "scenario_versions_workspace_id_scenario_id_version_key" ON "scenario_versions"("workspace_id", "scenario_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "scenario_runs_workspace_id_scenario_id_trigger_event_id_key" ON "scenario_runs"("workspace_id", "scenario_id", "trigger_event_id");

-- CreateIndex
CREATE UNIQUE INDEX "scenario_steps_workspace_id_run_id_seq_key" ON "scenario_steps"("workspace_id", "run_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "product_variants_workspace_id_product_id_shop_variant_id_key" ON "product_variants"("workspace_id", "product_id", "shop_variant_id");

-- CreateIndex
CREATE UNIQUE INDEX "order_refunds_workspace_id_order_id_refund_key_key" ON "order_refunds"("workspace_id", "order_id", "refund_key");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "tags" ADD CONSTRAINT "tags_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "contact_tags" ADD CONSTRAINT "contact_tags_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "contact_tags" ADD CONSTRAINT "contact_tags_workspace_id_tag_id_fkey" FOREIGN KEY ("workspace_id", "tag_id") REFERENCES "tags"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "anonymous_identities" ADD CONSTRAINT "anonymous_identities_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "anonymous_identities" ADD CONSTRAINT "anonymous_identities_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "templates" ADD CONSTRAINT "templates_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "template_versions" ADD CONSTRAINT "template_versions_workspace_id_template_id_fkey" FOREIGN KEY ("workspace_id", "template_id") REFERENCES "templates"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_workspace_id_template_id_fkey" FOREIGN KEY ("workspace_id", "template_id") REFERENCES "templates"("workspace_id", "id") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_workspace_id_template_version_id_fkey" FOREIGN KEY ("workspace_id", "template_version_id") REFERENCES "template_versions"("workspace_id", "id") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "workspace_email_settings" ADD CONSTRAINT "workspace_email_settings_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "email_send_buckets" ADD CONSTRAINT "email_send_buckets_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "email_suppressions" ADD CONSTRAINT "email_suppressions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scoring_rules" ADD CONSTRAINT "scoring_rules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "score_changes" ADD CONSTRAINT "score_changes_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "score_changes" ADD CONSTRAINT "score_changes_workspace_id_rule_id_fkey" FOREIGN KEY ("workspace_id", "rule_id") REFERENCES "scoring_rules"("workspace_id", "id") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "score_decay_policies" ADD CONSTRAINT "score_decay_policies_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "segments" ADD CONSTRAINT "segments_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "segment_memberships" ADD CONSTRAINT "segment_memberships_workspace_id_segment_id_fkey" FOREIGN KEY ("workspace_id", "segment_id") REFERENCES "segments"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "segment_memberships" ADD CONSTRAINT "segment_memberships_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_workspace_id_live_version_id_fkey" FOREIGN KEY ("workspace_id", "live_version_id") REFERENCES "scenario_versions"("workspace_id", "id") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenario_versions" ADD CONSTRAINT "scenario_versions_workspace_id_scenario_id_fkey" FOREIGN KEY ("workspace_id", "scenario_id") REFERENCES "scenarios"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_workspace_id_scenario_id_fkey" FOREIGN KEY ("workspace_id", "scenario_id") REFERENCES "scenarios"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_workspace_id_version_id_fkey" FOREIGN KEY ("workspace_id", "version_id") REFERENCES "scenario_versions"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenario_steps" ADD CONSTRAINT "scenario_steps_workspace_id_run_id_fkey" FOREIGN KEY ("workspace_id", "run_id") REFERENCES "scenario_runs"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "products" ADD CONSTRAINT "products_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "product_variants" ADD CONSTRAINT "product_variants_workspace_id_product_id_fkey" FOREIGN KEY ("workspace_id", "product_id") REFERENCES "products"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_workspace_id_order_id_fkey" FOREIGN KEY ("workspace_id", "order_id") REFERENCES "orders"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_workspace_id_order_id_fkey" FOREIGN KEY ("workspace_id", "order_id") REFERENCES "orders"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "carts" ADD CONSTRAINT "carts_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "carts" ADD CONSTRAINT "carts_workspace_id_contact_id_fkey" FOREIGN KEY ("workspace_id", "contact_id") REFERENCES "contacts"("workspace_id", "id") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "carts" ADD CONSTRAINT "carts_workspace_id_converted_order_id_fkey" FOREIGN KEY ("workspace_id", "converted_order_id") REFERENCES "orders"("workspace_id", "id") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "cart_lines" ADD CONSTRAINT "cart_lines_workspace_id_cart_id_fkey" FOREIGN KEY ("workspace_id", "cart_id") REFERENCES "carts"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "recommendation_contributions" ADD CONSTRAINT "recommendation_contributions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "recommendation_product_counts" ADD CONSTRAINT "recommendation_product_counts_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "recommendation_pairs" ADD CONSTRAINT "recommendation_pairs_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "recommendation_neighbours" ADD CONSTRAINT "recommendation_neighbours_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "message_touches" ADD CONSTRAINT "message_touches_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "message_touches" ADD CONSTRAINT "message_touches_workspace_id_message_id_fkey" FOREIGN KEY ("workspace_id", "message_id") REFERENCES "messages"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "attribution_settings" ADD CONSTRAINT "attribution_settings_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "marketing_spend" ADD CONSTRAINT "marketing_spend_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "scenario_split_winners" ADD CONSTRAINT "scenario_split_winners_workspace_id_scenario_id_fkey" FOREIGN KEY ("workspace_id", "scenario_id") REFERENCES "scenarios"("workspace_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "visitor_sessions" ADD CONSTRAINT "visitor_sessions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- One run in progress per contact and entity, now keyed by workspace too (raw SQL: a partial index).
DROP INDEX "scenario_runs_one_in_progress";
CREATE UNIQUE INDEX "scenario_runs_one_in_progress" ON "scenario_runs" ("workspace_id", "scenario_id", "contact_id", "entity_key") WHERE "status" IN ('ACTIVE', 'WAITING');
