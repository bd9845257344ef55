import { makeTemplateEngine, type TemplateEngine } from "@cartwheel/templates";

let engines: { sending: TemplateEngine; preview: TemplateEngine } | undefined;

function templateEngines() {
  engines ??= {
    sending: makeTemplateEngine(),
    preview: makeTemplateEngine({ strict: true }),
  };
  return engines;
}

/** Lenient Liquid for real sends: a missing optional variable prints nothing. */
export const sendingEngine = (): TemplateEngine => templateEngines().sending;

/** Strict Liquid for previews: undefined variables and unknown filters are errors. */
export const previewEngine = (): TemplateEngine => templateEngines().preview;
