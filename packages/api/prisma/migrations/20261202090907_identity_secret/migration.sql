-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "identity_secret" TEXT NOT NULL DEFAULT encode(sha256(gen_random_uuid()::text::bytea), 'hex');
