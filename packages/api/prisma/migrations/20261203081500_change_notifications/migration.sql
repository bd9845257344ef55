-- Change notifications for live GraphQL subscriptions: every API process LISTENs on
-- `cartwheel_changes` and re-reads what a notice names. Statement-level triggers send one
-- notice per statement and key (Postgres also folds identical notices of one transaction),
-- delivered when the transaction commits, so a rolled-back write never notifies.

CREATE FUNCTION cartwheel_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cartwheel_changes',
                    json_build_object('kind', 'event', 'workspaceId', workspace_id, 'contactId', contact_id)::text)
     FROM (SELECT DISTINCT workspace_id, contact_id FROM new_rows) changed;
  RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON "events"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_notify_events();

CREATE FUNCTION cartwheel_notify_steps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cartwheel_changes',
                    json_build_object('kind', 'scenario', 'workspaceId', workspace_id, 'scenarioId', scenario_id)::text)
     FROM (SELECT DISTINCT workspace_id, scenario_id FROM new_rows) changed;
  RETURN NULL;
END $$;
CREATE TRIGGER scenario_steps_notify AFTER INSERT ON "scenario_steps"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_notify_steps();
CREATE TRIGGER scenario_steps_notify_update AFTER UPDATE ON "scenario_steps"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_notify_steps();

CREATE FUNCTION cartwheel_notify_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cartwheel_changes', json_build_object('kind', 'orders', 'workspaceId', workspace_id)::text)
     FROM (SELECT DISTINCT workspace_id FROM new_rows) changed;
  RETURN NULL;
END $$;
CREATE TRIGGER orders_notify AFTER INSERT ON "orders"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_notify_orders();
CREATE TRIGGER orders_notify_update AFTER UPDATE ON "orders"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_notify_orders();

CREATE FUNCTION cartwheel_notify_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cartwheel_changes',
                    json_build_object('kind', 'message', 'workspaceId', workspace_id, 'messageId', id)::text)
     FROM (SELECT DISTINCT workspace_id, id FROM new_rows) changed;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_notify AFTER UPDATE ON "messages"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_notify_messages();
