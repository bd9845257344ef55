-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "control_group_percent" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "holdout_salt" TEXT NOT NULL DEFAULT encode(sha256(gen_random_uuid()::text::bytea), 'hex');

-- AlterTable
ALTER TABLE "scenario_runs" ADD COLUMN     "holdout" TEXT;
