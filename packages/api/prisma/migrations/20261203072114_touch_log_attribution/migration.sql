-- CreateEnum
CREATE TYPE "touch_kind" AS ENUM ('DELIVERED', 'OPENED', 'CLICKED');

-- CreateEnum
CREATE TYPE "revenue_basis" AS ENUM ('NET', 'GROSS');

-- CreateTable
CREATE TABLE "message_touches" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "contact_id" UUID,
    "kind" "touch_kind" NOT NULL,
    "machine" BOOLEAN NOT NULL DEFAULT false,
    "url" TEXT,
    "template_id" UUID,
    "scenario_id" UUID,
    "scenario_node_id" TEXT,
    "block" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "message_touches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attribution_settings" (
    "workspace_id" UUID NOT NULL,
    "click_window_hours" INTEGER NOT NULL DEFAULT 120,
    "count_opens" BOOLEAN NOT NULL DEFAULT false,
    "open_window_hours" INTEGER NOT NULL DEFAULT 24,
    "revenue_basis" "revenue_basis" NOT NULL DEFAULT 'NET',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attribution_settings_pkey" PRIMARY KEY ("workspace_id")
);

-- CreateIndex
CREATE INDEX "message_touches_workspace_id_contact_id_occurred_at_idx" ON "message_touches"("workspace_id", "contact_id", "occurred_at");

-- CreateIndex
CREATE INDEX "message_touches_message_id_kind_idx" ON "message_touches"("message_id", "kind");

-- CreateIndex
CREATE INDEX "message_touches_workspace_id_occurred_at_idx" ON "message_touches"("workspace_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "message_touches" ADD CONSTRAINT "message_touches_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_touches" ADD CONSTRAINT "message_touches_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attribution_settings" ADD CONSTRAINT "attribution_settings_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The touch log is append-only: a touch, once written, is history.
CREATE FUNCTION message_touches_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'message_touches rows are immutable';
END $$;

CREATE TRIGGER message_touches_no_update BEFORE UPDATE ON "message_touches"
  FOR EACH ROW EXECUTE FUNCTION message_touches_immutable();

-- History from before the log: the first delivery, opens and click each message recorded.
INSERT INTO "message_touches" (workspace_id, message_id, contact_id, kind, machine, template_id, scenario_id, scenario_node_id, occurred_at)
SELECT m.workspace_id, m.id, m.contact_id, t.kind::touch_kind, t.machine, m.template_id, r.scenario_id, m.scenario_node_id, t.at
  FROM messages m
  LEFT JOIN scenario_runs r ON r.id = m.scenario_run_id
  CROSS JOIN LATERAL (VALUES ('DELIVERED', false, m.delivered_at),
                             ('OPENED', false, m.opened_at),
                             ('OPENED', true, m.machine_opened_at),
                             ('CLICKED', false, m.clicked_at)) AS t(kind, machine, at)
 WHERE NOT m.is_test AND t.at IS NOT NULL
 ORDER BY t.at;
