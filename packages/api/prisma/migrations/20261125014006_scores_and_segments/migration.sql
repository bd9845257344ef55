-- CreateEnum
CREATE TYPE "score_change_kind" AS ENUM ('RULE', 'MANUAL', 'DECAY');

-- CreateTable
CREATE TABLE "scoring_rules" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "event_name" TEXT NOT NULL,
    "conditions" JSONB NOT NULL DEFAULT '[]',
    "points" INTEGER NOT NULL,
    "daily_cap" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scoring_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "score_changes" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "kind" "score_change_kind" NOT NULL,
    "rule_id" UUID,
    "event_id" BIGINT,
    "delta" INTEGER NOT NULL,
    "score_after" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "dedupe_key" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "score_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "score_decay_policies" (
    "workspace_id" UUID NOT NULL,
    "inactive_days" INTEGER NOT NULL,
    "percent" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "score_decay_policies_pkey" PRIMARY KEY ("workspace_id")
);

-- CreateTable
CREATE TABLE "segments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "filter" JSONB NOT NULL,
    "template_key" TEXT,
    "refreshed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "segments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "segment_memberships" (
    "segment_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "is_member" BOOLEAN NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "segment_memberships_pkey" PRIMARY KEY ("segment_id","contact_id")
);

-- CreateIndex
CREATE INDEX "scoring_rules_workspace_id_event_name_idx" ON "scoring_rules"("workspace_id", "event_name");

-- CreateIndex
CREATE INDEX "scoring_rules_workspace_id_created_at_id_idx" ON "scoring_rules"("workspace_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "score_changes_contact_id_id_idx" ON "score_changes"("contact_id", "id");

-- CreateIndex
CREATE INDEX "score_changes_rule_id_contact_id_occurred_at_idx" ON "score_changes"("rule_id", "contact_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "score_changes_workspace_id_dedupe_key_key" ON "score_changes"("workspace_id", "dedupe_key");

-- CreateIndex
CREATE INDEX "segments_workspace_id_created_at_id_idx" ON "segments"("workspace_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "segments_workspace_id_template_key_key" ON "segments"("workspace_id", "template_key");

-- CreateIndex
CREATE INDEX "segment_memberships_contact_id_segment_id_idx" ON "segment_memberships"("contact_id", "segment_id");

-- CreateIndex
CREATE INDEX "segment_memberships_segment_id_is_member_contact_id_idx" ON "segment_memberships"("segment_id", "is_member", "contact_id");

-- AddForeignKey
ALTER TABLE "scoring_rules" ADD CONSTRAINT "scoring_rules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "score_changes" ADD CONSTRAINT "score_changes_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "score_changes" ADD CONSTRAINT "score_changes_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "scoring_rules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "score_decay_policies" ADD CONSTRAINT "score_decay_policies_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segments" ADD CONSTRAINT "segments_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_memberships" ADD CONSTRAINT "segment_memberships_segment_id_fkey" FOREIGN KEY ("segment_id") REFERENCES "segments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_memberships" ADD CONSTRAINT "segment_memberships_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Segment filters compare date-typed custom properties, and a value that is not a date must count
-- as missing rather than fail the whole segment query (PostgreSQL 15 has no pg_input_is_valid).
CREATE OR REPLACE FUNCTION "cartwheel_try_timestamptz"(value text) RETURNS timestamptz
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET "TimeZone" TO 'UTC' AS $$
BEGIN
  RETURN value::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;
