import { builder } from "./builder.ts";
import "./errors.ts";
import "./workspaces.ts";
import "./tags.ts";
import "./contacts.ts";
import "./templates.ts";
import "./messages.ts";
import "./email-settings.ts";
import "./events.ts";
import "./segments.ts";
import "./scores.ts";
import "./scenarios.ts";
import "./scenario-simulation.ts";
import "./scenarios-as-code.ts";
import "./scenario-blueprints.ts";
import "./catalog.ts";
import "./upsert-products.ts";
import "./orders.ts";
import "./upsert-orders.ts";
import "./order-settings.ts";
import "./carts.ts";
import "./contact-activity.ts";
import "./recommendations.ts";
import "./analytics.ts";
import "./experiments.ts";
import "./live/subscriptions.ts";

/** The whole GraphQL schema. */
export const schema = builder.toSchema({ sortSchema: true });
