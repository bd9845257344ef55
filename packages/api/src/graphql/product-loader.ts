import { loadProductsByShopIds } from "../domain/catalog/list-products.ts";
import type { Product } from "../generated/prisma/client.ts";
import { workspaceOf } from "./auth.ts";
import type { Context } from "./context.ts";

type LoadProduct = (shopProductId: string) => Promise<Product | null>;

const loaders = new WeakMap<Context, LoadProduct>();

/**
 * The request's loader of products by the shop's product id: every lookup made while a
 * response is being resolved (the lines of every order in a page) is one query, and each id
 * is looked up once per request.
 *
 * @example const product = await productLoader(context)(line.shopProductId)
 */
export function productLoader(context: Context): LoadProduct {
  let loader = loaders.get(context);
  if (!loader) {
    loader = makeLoader(workspaceOf(context.principal));
    loaders.set(context, loader);
  }
  return loader;
}

function makeLoader(workspaceId: string): LoadProduct {
  const cache = new Map<string, Promise<Product | null>>();
  let queue: {
    id: string;
    settle: (product: Product | null) => void;
    fail: (e: unknown) => void;
  }[] = [];
  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      const rows = await loadProductsByShopIds(
        workspaceId,
        batch.map((entry) => entry.id),
      );
      const byId = new Map(rows.map((row) => [row.shopProductId, row]));
      for (const entry of batch) entry.settle(byId.get(entry.id) ?? null);
    } catch (error) {
      for (const entry of batch) entry.fail(error);
    }
  };
  return (id) => {
    let found = cache.get(id);
    if (!found) {
      found = new Promise<Product | null>((settle, fail) => {
        queue.push({ id, settle, fail });
        // The next macrotask: every resolver of this pass has asked by then.
        if (queue.length === 1) setImmediate(flush);
      });
      cache.set(id, found);
    }
    return found;
  };
}
