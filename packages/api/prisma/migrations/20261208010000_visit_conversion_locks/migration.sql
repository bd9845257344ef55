-- Visit conversion without races, and without orders the workspace does not count.

-- A browser's `Order Completed` converts its visit only while the workspace counts the orders a
-- browser reports (`count_unverified_orders`); an order row converts it whenever it exists (an
-- unverified one exists only while they count).
CREATE OR REPLACE FUNCTION cartwheel_visit_converted(workspace uuid, contact uuid, anonymous text,
                                                     started timestamptz, last_view timestamptz)
  RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = contact
                    AND o.ordered_at >= started AND o.ordered_at < last_view + interval '30 minutes')
      OR EXISTS (SELECT 1 FROM events oc WHERE oc.workspace_id = workspace AND oc.anonymous_id = anonymous
                    AND oc.name = 'Order Completed'
                    AND oc.occurred_at >= started AND oc.occurred_at < last_view + interval '30 minutes'
                    AND (NOT oc.from_browser
                         OR (SELECT w.count_unverified_orders FROM workspaces w WHERE w.id = workspace)))
$$;

-- Folds one page view into its visitor's visits (see `recordVisit`). An order and a page view of
-- the same visit written at the same moment must not miss each other: the order's trigger marks
-- only the visits its snapshot sees, and the view checks only the orders committed. Every writer
-- of orders holds its contact's row lock (upsertOrders, order events, the replay), and so does a
-- page view that carries the contact. An anonymous view of a visit whose contact is known now
-- takes that contact's lock too, first (contact, then the visitor: the order the event path takes
-- them in), so one of the two waits for the other's commit and sees it.
CREATE OR REPLACE FUNCTION cartwheel_record_visit(workspace uuid, visitor_key text, contact uuid, anonymous text, at timestamptz)
  RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  started timestamptz;
  last_view timestamptz;
  contact_of uuid;
  was_converted boolean;
  known_contact uuid;
BEGIN
  IF contact IS NULL THEN
    SELECT s.contact_id INTO known_contact FROM visitor_sessions s
     WHERE s.workspace_id = workspace AND s.visitor = visitor_key AND s.contact_id IS NOT NULL
       AND s.started_at < at + interval '30 minutes' AND s.last_view_at > at - interval '30 minutes'
     ORDER BY s.started_at LIMIT 1;
    IF known_contact IS NOT NULL THEN
      PERFORM 1 FROM contacts c WHERE c.workspace_id = workspace AND c.id = known_contact FOR NO KEY UPDATE;
    END IF;
  END IF;
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

-- Re-decides whether a workspace's converted visits still are (after the orders or events that
-- converted them stopped counting). Returns how many changed.
CREATE FUNCTION cartwheel_recheck_converted_visits(workspace uuid) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  UPDATE visitor_sessions s SET converted = false
   WHERE s.workspace_id = workspace AND s.converted
     AND NOT cartwheel_visit_converted(workspace, s.contact_id, s.anonymous_id, s.started_at, s.last_view_at);
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END $$;

-- Marks converted the visits during which these `Order Completed` events came, each in its
-- browser's visits (else its contact's): `recordVisit` for one event, the replay of browser
-- orders for a batch. A browser's report counts only while the workspace counts them.
CREATE FUNCTION cartwheel_convert_visits(workspace uuid, event_ids bigint[]) RETURNS void LANGUAGE sql AS $$
  UPDATE visitor_sessions s SET converted = true
    FROM events e
   WHERE e.workspace_id = workspace AND e.id = ANY(event_ids) AND e.name = 'Order Completed'
     AND (e.anonymous_id IS NOT NULL OR e.contact_id IS NOT NULL)
     AND (NOT e.from_browser OR (SELECT w.count_unverified_orders FROM workspaces w WHERE w.id = workspace))
     AND s.workspace_id = workspace
     AND s.visitor = CASE WHEN e.anonymous_id IS NOT NULL THEN 'a:' || e.anonymous_id ELSE 'c:' || e.contact_id END
     AND s.started_at <= e.occurred_at AND s.last_view_at + interval '30 minutes' > e.occurred_at
     AND NOT s.converted
$$;
