-- CreateTable
CREATE TABLE "scenario_split_winners" (
    "scenario_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "decided_by" TEXT NOT NULL,
    "probability" DOUBLE PRECISION,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "decided_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "scenario_split_winners_pkey" PRIMARY KEY ("scenario_id","node_id")
);

-- AddForeignKey
ALTER TABLE "scenario_split_winners" ADD CONSTRAINT "scenario_split_winners_scenario_id_fkey" FOREIGN KEY ("scenario_id") REFERENCES "scenarios"("id") ON DELETE CASCADE ON UPDATE CASCADE;
