-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "customer_order_number" INTEGER,
ADD COLUMN     "previous_order_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "visitor_sessions" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" UUID NOT NULL,
    "visitor" TEXT NOT NULL,
    "contact_id" UUID,
    "anonymous_id" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "last_view_at" TIMESTAMPTZ(3) NOT NULL,
    "converted" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "visitor_sessions_pkey" PRIMARY KEY ("workspace_id","id")
);

-- CreateTable
CREATE TABLE "analytics_slots" (
    "workspace_id" UUID NOT NULL,
    "slot" TIMESTAMPTZ(3) NOT NULL,
    "sessions" INTEGER NOT NULL DEFAULT 0,
    "converted_sessions" INTEGER NOT NULL DEFAULT 0,
    "carts_created" INTEGER NOT NULL DEFAULT 0,
    "carts_converted" INTEGER NOT NULL DEFAULT 0,
    "emails_sent" INTEGER NOT NULL DEFAULT 0,
    "emails_bounced" INTEGER NOT NULL DEFAULT 0,
    "emails_opened" INTEGER NOT NULL DEFAULT 0,
    "emails_clicked" INTEGER NOT NULL DEFAULT 0,
    "emails_unsubscribed" INTEGER NOT NULL DEFAULT 0,
    "emails_complained" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "analytics_slots_pkey" PRIMARY KEY ("workspace_id","slot")
);

-- CreateTable
CREATE TABLE "order_slots" (
    "workspace_id" UUID NOT NULL,
    "slot" TIMESTAMPTZ(3) NOT NULL,
    "currency" TEXT NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue_net" BIGINT NOT NULL DEFAULT 0,
    "revenue_gross" BIGINT NOT NULL DEFAULT 0,
    "attributed_orders" INTEGER NOT NULL DEFAULT 0,
    "attributed_net" BIGINT NOT NULL DEFAULT 0,
    "attributed_gross" BIGINT NOT NULL DEFAULT 0,
    "influenced_orders" INTEGER NOT NULL DEFAULT 0,
    "influenced_net" BIGINT NOT NULL DEFAULT 0,
    "influenced_gross" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "order_slots_pkey" PRIMARY KEY ("workspace_id","slot","currency")
);

-- CreateTable
CREATE TABLE "attribution_source_slots" (
    "workspace_id" UUID NOT NULL,
    "slot" TIMESTAMPTZ(3) NOT NULL,
    "currency" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue_net" BIGINT NOT NULL DEFAULT 0,
    "revenue_gross" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "attribution_source_slots_pkey" PRIMARY KEY ("workspace_id","slot","currency","source","key")
);

-- CreateTable
CREATE TABLE "analytics_dirty_slots" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" UUID NOT NULL,
    "slot" TIMESTAMPTZ(3),

    CONSTRAINT "analytics_dirty_slots_pkey" PRIMARY KEY ("workspace_id","id")
);

-- CreateIndex
CREATE INDEX "visitor_sessions_workspace_id_visitor_started_at_idx" ON "visitor_sessions"("workspace_id", "visitor", "started_at");

-- CreateIndex
CREATE INDEX "visitor_sessions_workspace_id_started_at_idx" ON "visitor_sessions"("workspace_id", "started_at");

-- CreateIndex
CREATE INDEX "visitor_sessions_workspace_id_contact_id_started_at_idx" ON "visitor_sessions"("workspace_id", "contact_id", "started_at");

-- CreateIndex
CREATE INDEX "analytics_dirty_slots_workspace_id_slot_idx" ON "analytics_dirty_slots"("workspace_id", "slot");

-- AddForeignKey
ALTER TABLE "visitor_sessions" ADD CONSTRAINT "visitor_sessions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "previous_scenario_sent_at" TIMESTAMPTZ(3),
ADD COLUMN     "previous_sent_at" TIMESTAMPTZ(3),
ADD COLUMN     "previous_template_sent_at" TIMESTAMPTZ(3),
ADD COLUMN     "scenario_id" UUID;

-- CreateTable
CREATE TABLE "customer_days" (
    "workspace_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "currency" TEXT NOT NULL,
    "previous_day" DATE NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "second_orders" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "customer_days_pkey" PRIMARY KEY ("workspace_id","day","currency","previous_day")
);

-- CreateTable
CREATE TABLE "recipient_days" (
    "workspace_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "previous_day" DATE NOT NULL,
    "messages" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "recipient_days_pkey" PRIMARY KEY ("workspace_id","day","source","key","previous_day")
);

-- Roll-ups belong to their workspace.
ALTER TABLE "analytics_slots" ADD CONSTRAINT "analytics_slots_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;
ALTER TABLE "order_slots" ADD CONSTRAINT "order_slots_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;
ALTER TABLE "attribution_source_slots" ADD CONSTRAINT "attribution_source_slots_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;
ALTER TABLE "analytics_dirty_slots" ADD CONSTRAINT "analytics_dirty_slots_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;
ALTER TABLE "customer_days" ADD CONSTRAINT "customer_days_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;
ALTER TABLE "recipient_days" ADD CONSTRAINT "recipient_days_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;
-- The marks come and go all day: vacuum them often, so reading them stays cheap.
ALTER TABLE "analytics_dirty_slots" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

-- A workspace being deleted takes its rows with it, and their triggers would mark its slots:
-- marks of a workspace that no longer exists are dropped.
CREATE FUNCTION cartwheel_skip_gone_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM workspaces WHERE id = NEW.workspace_id) THEN RETURN NULL; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER analytics_dirty_slots_of_live_workspaces BEFORE INSERT ON "analytics_dirty_slots"
  FOR EACH ROW EXECUTE FUNCTION cartwheel_skip_gone_workspace();

-- What the reports scan for the figures no roll-up can sum (distinct customers and recipients),
-- and what a slot's rebuild reads.
CREATE INDEX "orders_customer_chain_idx" ON "orders" ("workspace_id", "ordered_at")
  INCLUDE ("currency", "customer_order_number", "previous_order_at") WHERE "customer_order_number" IS NOT NULL;
CREATE INDEX "messages_sent_idx" ON "messages" ("workspace_id", "sent_at")
  INCLUDE ("kind", "template_id", "scenario_id", "previous_sent_at", "previous_template_sent_at", "previous_scenario_sent_at")
  WHERE "status" = 'SENT' AND NOT "is_test";
CREATE INDEX "carts_created_idx" ON "carts" ("workspace_id", "created_at");

-- The 15-minute UTC slot an instant falls in. Every time zone's offset is a multiple of 15
-- minutes, so a local day, week or month is a whole number of slots.
CREATE FUNCTION cartwheel_slot(instant timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT date_bin('15 minutes', instant, TIMESTAMPTZ '2000-01-01 00:00:00+00') $$;

-- Renumbers the orders of the given (workspace, contact, currency) triples: each order that is
-- not cancelled gets its place among them and the time of the one before.
CREATE FUNCTION cartwheel_renumber_orders(workspace_ids uuid[], contact_ids uuid[], currencies text[])
  RETURNS void LANGUAGE sql AS $$
  WITH triples AS (
    SELECT DISTINCT * FROM unnest(workspace_ids, contact_ids, currencies) AS t(workspace_id, contact_id, currency)),
  numbered AS (
    SELECT o.id, o.status = 'CANCELLED' AS cancelled,
           row_number() OVER w AS n, lag(o.ordered_at) OVER w AS prev
      -- A contact's orders are all in its workspace: the contact's index finds them.
      FROM triples t JOIN orders o ON o.contact_id = t.contact_id AND o.currency = t.currency
    WINDOW w AS (PARTITION BY o.workspace_id, o.contact_id, o.currency, o.status = 'CANCELLED' ORDER BY o.ordered_at, o.id))
  UPDATE orders o
     SET customer_order_number = CASE WHEN NOT numbered.cancelled THEN numbered.n END,
         previous_order_at = CASE WHEN NOT numbered.cancelled THEN numbered.prev END
    FROM numbered
   WHERE o.id = numbered.id
     AND (o.customer_order_number IS DISTINCT FROM CASE WHEN NOT numbered.cancelled THEN numbered.n END
       OR o.previous_order_at IS DISTINCT FROM CASE WHEN NOT numbered.cancelled THEN numbered.prev END)
$$;

-- Orders: their slots (old and new) are dirty, their contacts' orders are renumbered, and a
-- visit during which one was placed has converted. An update that changed none of the columns
-- a figure reads (the renumbering's own, a tracking number) does nothing.
CREATE FUNCTION cartwheel_orders_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  workspace_ids uuid[];
  contact_ids uuid[];
  currencies text[];
  dirtied integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(ordered_at) FROM new_rows;
    SELECT array_agg(workspace_id), array_agg(contact_id), array_agg(currency) INTO workspace_ids, contact_ids, currencies
      FROM (SELECT DISTINCT workspace_id, contact_id, currency FROM new_rows WHERE contact_id IS NOT NULL) t;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(ordered_at) FROM old_rows;
    SELECT array_agg(workspace_id), array_agg(contact_id), array_agg(currency) INTO workspace_ids, contact_ids, currencies
      FROM (SELECT DISTINCT workspace_id, contact_id, currency FROM old_rows WHERE contact_id IS NOT NULL) t;
  ELSE
    -- The renumbering's own update (only the chain columns changed) marks its slots and stops.
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT n.workspace_id, cartwheel_slot(at)
      FROM new_rows n JOIN old_rows o ON o.id = n.id, unnest(ARRAY[n.ordered_at, o.ordered_at]) at
     WHERE (n.contact_id, n.currency, n.total, n.refunded_amount, n.status, n.ordered_at,
            n.customer_order_number, n.previous_order_at)
           IS DISTINCT FROM (o.contact_id, o.currency, o.total, o.refunded_amount, o.status, o.ordered_at,
                             o.customer_order_number, o.previous_order_at);
    GET DIAGNOSTICS dirtied = ROW_COUNT;
    IF dirtied = 0 THEN RETURN NULL; END IF;
    SELECT array_agg(workspace_id), array_agg(contact_id), array_agg(currency) INTO workspace_ids, contact_ids, currencies
      FROM (SELECT DISTINCT n.workspace_id, c.contact_id, c.currency
              FROM new_rows n JOIN old_rows o ON o.id = n.id,
                   LATERAL (VALUES (n.contact_id, n.currency), (o.contact_id, o.currency)) c(contact_id, currency)
             WHERE c.contact_id IS NOT NULL
               AND (n.contact_id, n.currency, n.status, n.ordered_at)
                   IS DISTINCT FROM (o.contact_id, o.currency, o.status, o.ordered_at)) t;
    IF workspace_ids IS NULL THEN RETURN NULL; END IF;
  END IF;
  IF workspace_ids IS NOT NULL THEN
    PERFORM cartwheel_renumber_orders(workspace_ids, contact_ids, currencies);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE orders o SET customer_order_number = NULL, previous_order_at = NULL
      FROM new_rows n WHERE o.id = n.id AND n.contact_id IS NULL AND o.customer_order_number IS NOT NULL;
    UPDATE visitor_sessions s SET converted = true
      FROM new_rows n
     WHERE n.contact_id IS NOT NULL AND s.workspace_id = n.workspace_id AND s.contact_id = n.contact_id
       AND s.started_at <= n.ordered_at AND s.last_view_at + interval '30 minutes' > n.ordered_at
       AND NOT s.converted;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER orders_roll_up_insert AFTER INSERT ON "orders"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_orders_changed();
CREATE TRIGGER orders_roll_up_update AFTER UPDATE ON "orders"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_orders_changed();
CREATE TRIGGER orders_roll_up_delete AFTER DELETE ON "orders"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_orders_changed();

-- Messages: the scenario of their run, written with them.
CREATE FUNCTION cartwheel_message_scenario() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT scenario_id INTO NEW.scenario_id FROM scenario_runs WHERE id = NEW.scenario_run_id;
  RETURN NEW;
END $$;
CREATE TRIGGER messages_scenario BEFORE INSERT OR UPDATE OF scenario_run_id ON "messages"
  FOR EACH ROW WHEN (NEW.scenario_run_id IS NOT NULL) EXECUTE FUNCTION cartwheel_message_scenario();

-- Chains the sent marketing mail of the given contacts: each message learns when the contact
-- was last sent such mail before it, of any template, of its template and of its scenario.
CREATE FUNCTION cartwheel_chain_messages(contact_ids uuid[]) RETURNS void LANGUAGE sql AS $$
  WITH chain AS (
    SELECT m.id,
           lag(m.sent_at) OVER (PARTITION BY m.contact_id ORDER BY m.sent_at, m.id) AS previous,
           CASE WHEN m.template_id IS NOT NULL
                THEN lag(m.sent_at) OVER (PARTITION BY m.contact_id, m.template_id ORDER BY m.sent_at, m.id) END AS previous_template,
           CASE WHEN m.scenario_id IS NOT NULL
                THEN lag(m.sent_at) OVER (PARTITION BY m.contact_id, m.scenario_id ORDER BY m.sent_at, m.id) END AS previous_scenario
      FROM messages m
     WHERE m.contact_id = ANY(contact_ids) AND m.status = 'SENT' AND NOT m.is_test AND m.kind = 'MARKETING'
       AND m.sent_at IS NOT NULL)
  UPDATE messages m
     SET previous_sent_at = chain.previous, previous_template_sent_at = chain.previous_template,
         previous_scenario_sent_at = chain.previous_scenario
    FROM chain
   WHERE m.id = chain.id
     AND (m.previous_sent_at, m.previous_template_sent_at, m.previous_scenario_sent_at)
         IS DISTINCT FROM (chain.previous, chain.previous_template, chain.previous_scenario)
$$;

-- Messages: the slot of their send, when something a figure counts changed; and the chains of
-- their contacts' marketing mail, when a send came, went or moved.
CREATE FUNCTION cartwheel_messages_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  contact_ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(sent_at) FROM new_rows WHERE sent_at IS NOT NULL;
    SELECT array_agg(DISTINCT contact_id) INTO contact_ids FROM new_rows
     WHERE status = 'SENT' AND kind = 'MARKETING' AND NOT is_test AND contact_id IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(sent_at) FROM old_rows WHERE sent_at IS NOT NULL;
    SELECT array_agg(DISTINCT contact_id) INTO contact_ids FROM old_rows
     WHERE status = 'SENT' AND kind = 'MARKETING' AND NOT is_test AND contact_id IS NOT NULL;
  ELSE
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(sent_at) FROM (
      SELECT n.workspace_id, unnest(ARRAY[n.sent_at, o.sent_at]) AS sent_at
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.status, n.sent_at, n.bounced_at, n.unsubscribed_at, n.complained_at, n.kind, n.is_test, n.contact_id,
              n.template_id, n.scenario_id, n.previous_sent_at, n.previous_template_sent_at, n.previous_scenario_sent_at)
             IS DISTINCT FROM (o.status, o.sent_at, o.bounced_at, o.unsubscribed_at, o.complained_at, o.kind, o.is_test, o.contact_id,
              o.template_id, o.scenario_id, o.previous_sent_at, o.previous_template_sent_at, o.previous_scenario_sent_at)) changed
     WHERE sent_at IS NOT NULL;
    -- The chaining's own update changes only the chain columns: it stops here.
    SELECT array_agg(DISTINCT c.contact_id) INTO contact_ids
      FROM new_rows n JOIN old_rows o ON o.id = n.id, LATERAL (VALUES (n.contact_id), (o.contact_id)) c(contact_id)
     WHERE c.contact_id IS NOT NULL
       AND (n.status, n.sent_at, n.kind, n.is_test, n.contact_id, n.template_id, n.scenario_id)
           IS DISTINCT FROM (o.status, o.sent_at, o.kind, o.is_test, o.contact_id, o.template_id, o.scenario_id)
       AND (n.status = 'SENT' OR o.status = 'SENT');
  END IF;
  IF contact_ids IS NOT NULL THEN
    PERFORM cartwheel_chain_messages(contact_ids);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_roll_up_insert AFTER INSERT ON "messages"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_messages_changed();
CREATE TRIGGER messages_roll_up_update AFTER UPDATE ON "messages"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_messages_changed();
CREATE TRIGGER messages_roll_up_delete AFTER DELETE ON "messages"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_messages_changed();

-- A touch: its message's slot (opens and clicks), and the slots of the contact's orders it can
-- be credited with (from the scanner burst before it to the attribution window after it).
CREATE FUNCTION cartwheel_touches_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_dirty_slots (workspace_id, slot)
  SELECT DISTINCT m.workspace_id, cartwheel_slot(m.sent_at)
    FROM new_rows t JOIN messages m ON m.id = t.message_id WHERE m.sent_at IS NOT NULL
  UNION
  SELECT DISTINCT o.workspace_id, cartwheel_slot(o.ordered_at)
    FROM new_rows t
    LEFT JOIN attribution_settings a ON a.workspace_id = t.workspace_id
    JOIN orders o ON o.contact_id = t.contact_id
     AND o.ordered_at >= t.occurred_at - interval '2 seconds'
     AND o.ordered_at <= t.occurred_at + make_interval(hours => GREATEST(COALESCE(a.click_window_hours, 120),
                                                                CASE WHEN a.count_opens THEN a.open_window_hours ELSE 0 END));
  RETURN NULL;
END $$;
CREATE TRIGGER message_touches_roll_up AFTER INSERT ON "message_touches"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_touches_changed();

-- Carts: the slot they were created in, when created, converted or removed.
CREATE FUNCTION cartwheel_carts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(created_at) FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(created_at) FROM old_rows;
  ELSE
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT n.workspace_id, cartwheel_slot(created_at) FROM (
      SELECT n.workspace_id, unnest(ARRAY[n.created_at, o.created_at]) AS created_at
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.status = 'CONVERTED', n.created_at) IS DISTINCT FROM (o.status = 'CONVERTED', o.created_at)) n;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER carts_roll_up_insert AFTER INSERT ON "carts"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_carts_changed();
CREATE TRIGGER carts_roll_up_update AFTER UPDATE ON "carts"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_carts_changed();
CREATE TRIGGER carts_roll_up_delete AFTER DELETE ON "carts"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_carts_changed();

-- Visits: the slot they started in, when one starts, moves, converts or is merged away.
CREATE FUNCTION cartwheel_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(started_at) FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT workspace_id, cartwheel_slot(started_at) FROM old_rows;
  ELSE
    INSERT INTO analytics_dirty_slots (workspace_id, slot)
    SELECT DISTINCT n.workspace_id, cartwheel_slot(started_at) FROM (
      SELECT n.workspace_id, unnest(ARRAY[n.started_at, o.started_at]) AS started_at
        FROM new_rows n JOIN old_rows o ON o.workspace_id = n.workspace_id AND o.id = n.id
       WHERE (n.started_at, n.converted) IS DISTINCT FROM (o.started_at, o.converted)) n;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER visitor_sessions_roll_up_insert AFTER INSERT ON "visitor_sessions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_sessions_changed();
CREATE TRIGGER visitor_sessions_roll_up_update AFTER UPDATE ON "visitor_sessions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_sessions_changed();
CREATE TRIGGER visitor_sessions_roll_up_delete AFTER DELETE ON "visitor_sessions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_sessions_changed();

-- A new attribution window re-credits every order: every slot of the workspace is dirty. (Both
-- revenue bases are rolled up, so a change of basis alone needs nothing.)
CREATE FUNCTION cartwheel_mark_every_slot() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_dirty_slots (workspace_id, slot) VALUES (NEW.workspace_id, NULL);
  RETURN NULL;
END $$;
CREATE TRIGGER attribution_settings_roll_up_insert AFTER INSERT ON "attribution_settings"
  FOR EACH ROW WHEN ((NEW.click_window_hours, NEW.count_opens, NEW.open_window_hours) IS DISTINCT FROM (120, false, 24))
  EXECUTE FUNCTION cartwheel_mark_every_slot();
CREATE TRIGGER attribution_settings_roll_up_update AFTER UPDATE ON "attribution_settings"
  FOR EACH ROW WHEN ((NEW.click_window_hours, NEW.count_opens, NEW.open_window_hours)
                     IS DISTINCT FROM (OLD.click_window_hours, OLD.count_opens, OLD.open_window_hours))
  EXECUTE FUNCTION cartwheel_mark_every_slot();

-- The daily roll-ups are kept in the shop's time zone: a new one rebuilds them all.
CREATE TRIGGER workspace_email_settings_roll_up_insert AFTER INSERT ON "workspace_email_settings"
  FOR EACH ROW WHEN (NEW.timezone IS NOT NULL AND NEW.timezone <> 'UTC')
  EXECUTE FUNCTION cartwheel_mark_every_slot();
CREATE TRIGGER workspace_email_settings_roll_up_update AFTER UPDATE ON "workspace_email_settings"
  FOR EACH ROW WHEN (NEW.timezone IS DISTINCT FROM OLD.timezone)
  EXECUTE FUNCTION cartwheel_mark_every_slot();

-- Whether an order of the contact or an `Order Completed` of the browser falls in a visit.
CREATE FUNCTION cartwheel_visit_converted(workspace uuid, contact uuid, anonymous text,
                                          started timestamptz, last_view timestamptz)
  RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = contact
                    AND o.ordered_at >= started AND o.ordered_at < last_view + interval '30 minutes')
      OR EXISTS (SELECT 1 FROM events oc WHERE oc.workspace_id = workspace AND oc.anonymous_id = anonymous
                    AND oc.name = 'Order Completed'
                    AND oc.occurred_at >= started AND oc.occurred_at < last_view + interval '30 minutes')
$$;

-- Folds one page view into its visitor's visits (see `recordVisit`): joins the visit it falls
-- within 30 minutes of, merges the visits it bridges, or starts one. Idempotent.
CREATE FUNCTION cartwheel_record_visit(workspace uuid, visitor_key text, contact uuid, anonymous text, at timestamptz)
  RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  started timestamptz;
  last_view timestamptz;
  contact_of uuid;
  was_converted boolean;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('visit:' || workspace || ':' || visitor_key, 0));
  SELECT array_agg(id ORDER BY started_at), min(started_at), max(last_view_at), bool_or(converted),
         (array_agg(contact_id ORDER BY started_at) FILTER (WHERE contact_id IS NOT NULL))[1]
    INTO ids, started, last_view, was_converted, contact_of
    FROM visitor_sessions
   WHERE workspace_id = workspace AND visitor = visitor_key
     AND started_at < at + interval '30 minutes' AND last_view_at > at - interval '30 minutes';
  IF ids IS NULL THEN
    INSERT INTO visitor_sessions (workspace_id, visitor, contact_id, anonymous_id, started_at, last_view_at, converted)
    VALUES (workspace, visitor_key, contact, anonymous, at, at, cartwheel_visit_converted(workspace, contact, anonymous, at, at));
    RETURN;
  END IF;
  IF cardinality(ids) = 1 AND started <= at AND last_view >= at AND (contact_of IS NOT NULL OR contact IS NULL) THEN
    RETURN; -- already inside the visit (or the same view again)
  END IF;
  started := LEAST(started, at);
  last_view := GREATEST(last_view, at);
  contact_of := COALESCE(contact_of, contact);
  DELETE FROM visitor_sessions WHERE workspace_id = workspace AND id = ANY(ids[2:]);
  UPDATE visitor_sessions
     SET started_at = started, last_view_at = last_view, contact_id = contact_of,
         converted = was_converted OR cartwheel_visit_converted(workspace, contact_of, anonymous, started, last_view)
   WHERE workspace_id = workspace AND id = ids[1];
END $$;

-- Rebuilds a workspace's visits from its page views (the backfill; `process_event` keeps them).
CREATE FUNCTION cartwheel_rebuild_visitor_sessions(workspace uuid) RETURNS void LANGUAGE sql AS $$
  DELETE FROM visitor_sessions WHERE workspace_id = workspace;
  WITH views AS (
    SELECT CASE WHEN e.anonymous_id IS NOT NULL THEN 'a:' || e.anonymous_id ELSE 'c:' || e.contact_id END AS visitor,
           e.contact_id, e.anonymous_id, e.occurred_at,
           e.occurred_at - lag(e.occurred_at) OVER (PARTITION BY CASE WHEN e.anonymous_id IS NOT NULL THEN 'a:' || e.anonymous_id ELSE 'c:' || e.contact_id END
                                                    ORDER BY e.occurred_at) AS gap
      FROM events e
     WHERE e.workspace_id = workspace AND e.name = 'Page Viewed' AND (e.contact_id IS NOT NULL OR e.anonymous_id IS NOT NULL)),
  numbered AS (
    SELECT *, count(*) FILTER (WHERE gap IS NULL OR gap >= interval '30 minutes') OVER (PARTITION BY visitor ORDER BY occurred_at) AS visit
      FROM views)
  INSERT INTO visitor_sessions (workspace_id, visitor, contact_id, anonymous_id, started_at, last_view_at)
  SELECT workspace, visitor, (array_agg(contact_id ORDER BY occurred_at DESC) FILTER (WHERE contact_id IS NOT NULL))[1],
         min(anonymous_id), min(occurred_at), max(occurred_at)
    FROM numbered GROUP BY visitor, visit;
  UPDATE visitor_sessions s SET converted = true
   WHERE s.workspace_id = workspace
     AND cartwheel_visit_converted(workspace, s.contact_id, s.anonymous_id, s.started_at, s.last_view_at);
$$;

-- Backfill: number the orders, rebuild the visits, and mark every workspace for a full roll-up.
SELECT cartwheel_renumber_orders(array_agg(workspace_id), array_agg(contact_id), array_agg(currency))
  FROM (SELECT DISTINCT workspace_id, contact_id, currency FROM orders WHERE contact_id IS NOT NULL) t;
UPDATE messages m SET scenario_id = r.scenario_id FROM scenario_runs r WHERE r.id = m.scenario_run_id;
SELECT cartwheel_chain_messages(array_agg(DISTINCT contact_id))
  FROM messages WHERE status = 'SENT' AND kind = 'MARKETING' AND NOT is_test AND contact_id IS NOT NULL;
SELECT cartwheel_rebuild_visitor_sessions(id) FROM workspaces;
DELETE FROM analytics_dirty_slots;
INSERT INTO analytics_dirty_slots (workspace_id, slot) SELECT id, NULL FROM workspaces;
