-- A new message notifies too (until now only updates did), so a workspace's message list can
-- show it the moment it is queued (`messageActivity`). Same notice as an update: one per message.

CREATE TRIGGER messages_notify_insert AFTER INSERT ON "messages"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cartwheel_notify_messages();
