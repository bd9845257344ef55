-- CreateEnum
CREATE TYPE "scenario_status" AS ENUM ('DRAFT', 'LIVE', 'PAUSED', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "scenario_run_status" AS ENUM ('ACTIVE', 'WAITING', 'COMPLETED', 'CONVERTED', 'EXITED', 'FAILED');

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "scenario_node_id" TEXT,
ADD COLUMN     "scenario_run_id" UUID;

-- CreateTable
CREATE TABLE "scenarios" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "status" "scenario_status" NOT NULL DEFAULT 'DRAFT',
    "definition" JSONB NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "live_version_id" UUID,
    "trigger_kind" TEXT,
    "trigger_key" TEXT,
    "published_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scenarios_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scenario_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "scenario_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scenario_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scenario_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "scenario_id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "entity_key" TEXT NOT NULL DEFAULT '',
    "status" "scenario_run_status" NOT NULL DEFAULT 'ACTIVE',
    "node_id" TEXT,
    "resume_output" TEXT,
    "wake_at" TIMESTAMPTZ(3),
    "wake_queued" BOOLEAN NOT NULL DEFAULT false,
    "wait_event" TEXT,
    "waiting_since" TIMESTAMPTZ(3),
    "trigger" JSONB NOT NULL,
    "trigger_event_id" BIGINT,
    "state" JSONB NOT NULL DEFAULT '{}',
    "steps" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scenario_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scenario_steps" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "scenario_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "node_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "entered_at" TIMESTAMPTZ(3) NOT NULL,
    "left_at" TIMESTAMPTZ(3),
    "output" TEXT,
    "reason" TEXT,
    "message_id" UUID,
    "detail" JSONB,

    CONSTRAINT "scenario_steps_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "scenarios_live_version_id_key" ON "scenarios"("live_version_id");

-- CreateIndex
CREATE INDEX "scenarios_workspace_id_created_at_id_idx" ON "scenarios"("workspace_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "scenarios_workspace_id_status_trigger_kind_trigger_key_idx" ON "scenarios"("workspace_id", "status", "trigger_kind", "trigger_key");

-- CreateIndex
CREATE UNIQUE INDEX "scenario_versions_scenario_id_version_key" ON "scenario_versions"("scenario_id", "version");

-- CreateIndex
CREATE INDEX "scenario_runs_workspace_id_contact_id_status_idx" ON "scenario_runs"("workspace_id", "contact_id", "status");

-- CreateIndex
CREATE INDEX "scenario_runs_scenario_id_status_node_id_idx" ON "scenario_runs"("scenario_id", "status", "node_id");

-- CreateIndex
CREATE INDEX "scenario_runs_status_wake_at_idx" ON "scenario_runs"("status", "wake_at");

-- CreateIndex
CREATE INDEX "scenario_runs_scenario_id_contact_id_entity_key_started_at_idx" ON "scenario_runs"("scenario_id", "contact_id", "entity_key", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "scenario_runs_scenario_id_trigger_event_id_key" ON "scenario_runs"("scenario_id", "trigger_event_id");

-- CreateIndex
CREATE INDEX "scenario_steps_scenario_id_node_id_output_idx" ON "scenario_steps"("scenario_id", "node_id", "output");

-- CreateIndex
CREATE UNIQUE INDEX "scenario_steps_run_id_seq_key" ON "scenario_steps"("run_id", "seq");

-- CreateIndex
CREATE INDEX "messages_scenario_run_id_idx" ON "messages"("scenario_run_id");

-- AddForeignKey
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_live_version_id_fkey" FOREIGN KEY ("live_version_id") REFERENCES "scenario_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenario_versions" ADD CONSTRAINT "scenario_versions_scenario_id_fkey" FOREIGN KEY ("scenario_id") REFERENCES "scenarios"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_scenario_id_fkey" FOREIGN KEY ("scenario_id") REFERENCES "scenarios"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "scenario_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenario_steps" ADD CONSTRAINT "scenario_steps_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "scenario_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- At most one run in progress per scenario, contact and entity.
CREATE UNIQUE INDEX "scenario_runs_one_in_progress" ON "scenario_runs" ("scenario_id", "contact_id", "entity_key") WHERE "status" IN ('ACTIVE', 'WAITING');

-- The runs waiting for an event of a contact.
CREATE INDEX "scenario_runs_waiting_for_event" ON "scenario_runs" ("contact_id", "wait_event") WHERE "status" = 'WAITING' AND "wait_event" IS NOT NULL;
