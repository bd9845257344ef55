import type { Context, Emitter, Liquid } from "liquidjs";
import { IncludeTag, RenderTag, toValueSync } from "liquidjs";

/** Safety limits applied to every render; see `makeTemplateEngine`. */
export interface TemplateLimits {
  /** Wall-clock budget of one render, in ms (liquidjs `renderLimit`). Default 1000. */
  renderTimeMs: number;
  /** Characters/array items filters and loops may allocate (liquidjs `memoryLimit`). Default 10M. */
  memory: number;
  /** Longest template source accepted, in characters (liquidjs `parseLimit`). Default 500k. */
  sourceLength: number;
  /** Longest rendered output of one part, in characters. Default 2M. */
  outputLength: number;
  /** Deepest nesting of `include`/`render`. Default 16. */
  partialDepth: number;
}

export const defaultTemplateLimits: TemplateLimits = {
  renderTimeMs: 1000,
  memory: 10_000_000,
  sourceLength: 500_000,
  outputLength: 2_000_000,
  partialDepth: 16,
};

export class OutputLimitError extends Error {
  override readonly name = "OutputLimitError";
  constructor(limit: number) {
    super(`output length limit exceeded (${limit} characters)`);
  }
}

/** A liquidjs emitter that stops the render as soon as the output passes `maxLength`. */
export class CappedEmitter implements Emitter {
  buffer = "";
  constructor(private readonly maxLength: number) {}

  write(html: unknown): void {
    this.buffer += stringify(html);
    if (this.buffer.length > this.maxLength) throw new OutputLimitError(this.maxLength);
  }
}

function stringify(value: unknown): string {
  const plain = toValueSync(value);
  if (plain === null || plain === undefined) return "";
  if (Array.isArray(plain)) return plain.map(stringify).join("");
  return String(plain);
}

/**
 * Replaces `include` and `render` with versions that refuse to nest deeper than `maxDepth`,
 * so a partial that includes itself fails with a clear error instead of exhausting the stack.
 * Depth is counted per render call (keyed by its render limiter, which nested contexts share).
 */
export function registerDepthLimitedPartials(liquid: Liquid, maxDepth: number): void {
  const depths = new WeakMap<object, number>();

  function* withDepth<T>(ctx: Context, render: () => Generator<unknown, T, unknown>) {
    const key = ctx.renderLimit;
    const depth = (depths.get(key) ?? 0) + 1;
    if (depth > maxDepth) throw new Error(`partial depth limit exceeded (${maxDepth})`);
    depths.set(key, depth);
    try {
      return yield* render();
    } finally {
      depths.set(key, depth - 1);
    }
  }

  liquid.registerTag(
    "include",
    class extends IncludeTag {
      override *render(ctx: Context, emitter: Emitter) {
        return yield* withDepth(ctx, () => super.render(ctx, emitter));
      }
    },
  );
  liquid.registerTag(
    "render",
    class extends RenderTag {
      override *render(ctx: Context, emitter: Emitter) {
        return yield* withDepth(ctx, () => super.render(ctx, emitter));
      }
    },
  );
}
