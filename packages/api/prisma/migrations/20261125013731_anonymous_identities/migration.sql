-- CreateTable
CREATE TABLE "anonymous_identities" (
    "workspace_id" UUID NOT NULL,
    "anonymous_id" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "anonymous_identities_pkey" PRIMARY KEY ("workspace_id","anonymous_id")
);

-- CreateIndex
CREATE INDEX "anonymous_identities_contact_id_idx" ON "anonymous_identities"("contact_id");

-- AddForeignKey
ALTER TABLE "anonymous_identities" ADD CONSTRAINT "anonymous_identities_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "anonymous_identities" ADD CONSTRAINT "anonymous_identities_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
