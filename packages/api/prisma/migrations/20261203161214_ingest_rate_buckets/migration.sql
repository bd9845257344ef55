-- CreateTable
-- UNLOGGED: no WAL flush per request; a crash empties the table, which only forgives a burst.
CREATE UNLOGGED TABLE "ingest_rate_buckets" (
    "workspace_id" UUID NOT NULL,
    "api_key_id" UUID NOT NULL,
    "theoretical_arrival_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "ingest_rate_buckets_pkey" PRIMARY KEY ("workspace_id","api_key_id")
);

-- AddForeignKey
ALTER TABLE "ingest_rate_buckets" ADD CONSTRAINT "ingest_rate_buckets_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
