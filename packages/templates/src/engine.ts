import type { Template } from "liquidjs";
import { Context, Liquid, toValueSync } from "liquidjs";
import { LRUCache } from "lru-cache";
import type { CompiledEmail } from "./compile-email.ts";
import { inlineCssKeepingLiquid } from "./css-inline.ts";
import { type TemplatePart, toTemplateRenderError } from "./errors.ts";
import { registerCommerceFilters } from "./filters.ts";
import {
  CappedEmitter,
  defaultTemplateLimits,
  registerDepthLimitedPartials,
  type TemplateLimits,
} from "./limits.ts";
import { ProductGridTag } from "./product-grid-tag.ts";
import { builtInPartials, houseStylesheet } from "./views.ts";

export interface TemplateEngineOptions {
  /** Fail on undefined variables and unknown filters (tests, previews). Default `false`. */
  strict?: boolean;
  /** Overrides of the safety limits; see `TemplateLimits` for the defaults. */
  limits?: Partial<TemplateLimits>;
  /** Extra partials by name (shop snippets), usable with `{% render "name" %}`. Default none. */
  partials?: Record<string, string>;
  /** How many compiled emails to keep parsed. Default 500. */
  cacheSize?: number;
}

/** How output is written: `html` escapes every `{{ }}` output, `text` writes it verbatim. */
export type OutputMode = "html" | "text";

/** A configured Liquid setup with its parsed-template cache. Create one per process. */
export interface TemplateEngine {
  readonly strict: boolean;
  readonly limits: Readonly<TemplateLimits>;
  /** Parses Liquid source; throws `TemplateRenderError` for `part`. */
  parse(mode: OutputMode, source: string, part: TemplatePart): Template[];
  /** Renders parsed templates with `data` as scope and globals; throws `TemplateRenderError`. */
  render(mode: OutputMode, templates: Template[], data: object, part: TemplatePart): string;
  /** Compiled emails keyed by their sources. */
  readonly compiledEmails: LRUCache<string, CompiledEmail>;
}

/**
 * Creates the product's Liquid engine: e-commerce filters, the `product_grid` tag, HTML output
 * escaping (write `{{ value | raw }}` for trusted HTML), partials from an in-memory store only
 * (no file system), and limits on render time, memory, source length, output length and partial
 * depth. Parsed templates are cached, so render the same source many times cheaply.
 *
 * @example
 * const engine = makeTemplateEngine({ strict: true, limits: { renderTimeMs: 200 } });
 * const email = await renderEmail(engine, libraryTemplates[0], data);
 */
export function makeTemplateEngine(options: TemplateEngineOptions = {}): TemplateEngine {
  const strict = options.strict ?? false;
  const limits: TemplateLimits = { ...defaultTemplateLimits, ...options.limits };
  const partials = inlinePartials({ ...builtInPartials, ...options.partials });
  const liquids: Record<OutputMode, Liquid> = {
    html: makeLiquid({ strict, limits, partials, escape: true }),
    text: makeLiquid({ strict, limits, partials, escape: false }),
  };

  return {
    strict,
    limits,
    compiledEmails: new LRUCache({ max: options.cacheSize ?? 500 }),
    parse(mode, source, part) {
      try {
        return liquids[mode].parse(source);
      } catch (error) {
        throw toTemplateRenderError(error, part);
      }
    },
    render(mode, templates, data, part) {
      const liquid = liquids[mode];
      const emitter = new CappedEmitter(limits.outputLength);
      const context = new Context(
        data,
        liquid.options,
        { sync: true, globals: data, strictVariables: strict },
        { liquid },
      );
      try {
        toValueSync(liquid.renderer.renderTemplates(templates, context, emitter));
        return emitter.buffer;
      } catch (error) {
        throw toTemplateRenderError(error, part);
      }
    },
  };
}

function makeLiquid(settings: {
  strict: boolean;
  limits: TemplateLimits;
  partials: Record<string, string>;
  escape: boolean;
}): Liquid {
  const liquid = new Liquid({
    templates: settings.partials,
    cache: true,
    strictVariables: settings.strict,
    strictFilters: settings.strict,
    lenientIf: true,
    outputEscape: settings.escape ? "escape" : undefined,
    renderLimit: settings.limits.renderTimeMs,
    memoryLimit: settings.limits.memory,
    parseLimit: settings.limits.sourceLength,
  });
  registerCommerceFilters(liquid);
  registerDepthLimitedPartials(liquid, settings.limits.partialDepth);
  liquid.registerTag("product_grid", ProductGridTag);
  return liquid;
}

/** Partials get the house stylesheet inlined once, as their output is not inlined per render. */
function inlinePartials(partials: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(partials).map(([name, source]) => [
      name,
      inlineCssKeepingLiquid(source, houseStylesheet),
    ]),
  );
}
