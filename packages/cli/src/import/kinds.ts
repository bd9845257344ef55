import type { ImportKind, KindName } from "./import-kind.ts";
import { contacts } from "./kinds/contacts.ts";
import { orders } from "./kinds/orders.ts";
import { products } from "./kinds/products.ts";
import { spend } from "./kinds/spend.ts";

/** Every kind the import command loads, by name. */
export const importKinds: Record<KindName, ImportKind> = { products, contacts, orders, spend };
