import { LiquidError } from "liquidjs";

/** The part of an email a template error comes from. */
export type TemplatePart = "subject" | "preheader" | "html" | "text";

/** Why a template failed: bad Liquid, a runtime error, or a safety limit. */
export const TemplateErrorKind = {
  Parse: "PARSE",
  Render: "RENDER",
  UndefinedVariable: "UNDEFINED_VARIABLE",
  Limit: "LIMIT",
} as const;
export type TemplateErrorKind = (typeof TemplateErrorKind)[keyof typeof TemplateErrorKind];

/**
 * Thrown by `renderEmail` for any Liquid parse or render failure, including the safety limits.
 * `line` and `column` are 1-based positions in the source of `part` (or of `file` when the error
 * is inside a partial); they are `null` when the failure has no position (output too large).
 *
 * @example
 * try { await renderEmail(engine, source, data) } catch (error) {
 *   if (error instanceof TemplateRenderError) return { message: error.message, line: error.line };
 * }
 */
export class TemplateRenderError extends Error {
  override readonly name = "TemplateRenderError";
  readonly kind: TemplateErrorKind;
  readonly part: TemplatePart;
  readonly line: number | null;
  readonly column: number | null;
  /** Partial or layout the error is in (`"partials/footer"`), `null` for the part's own source. */
  readonly file: string | null;

  constructor(fields: {
    message: string;
    kind: TemplateErrorKind;
    part: TemplatePart;
    line?: number | null;
    column?: number | null;
    file?: string | null;
    cause?: unknown;
  }) {
    super(fields.message, { cause: fields.cause });
    this.kind = fields.kind;
    this.part = fields.part;
    this.line = fields.line ?? null;
    this.column = fields.column ?? null;
    this.file = fields.file ?? null;
  }
}

const limitMessage = /limit exceeded|Invalid string length|Maximum call stack/;

/** Converts whatever Liquid threw into a `TemplateRenderError` for `part`. */
export function toTemplateRenderError(error: unknown, part: TemplatePart): TemplateRenderError {
  if (error instanceof TemplateRenderError) return error;
  if (!LiquidError.is(error)) {
    const message = error instanceof Error ? error.message : String(error);
    const kind = limitMessage.test(message) ? TemplateErrorKind.Limit : TemplateErrorKind.Render;
    return new TemplateRenderError({ message, kind, part, cause: error });
  }
  const [line, column] = error.token.getPosition();
  const original = error.originalError?.message ?? firstLine(error.message);
  return new TemplateRenderError({
    message: original,
    kind: kindOf(error, original),
    part,
    line,
    column,
    file: error.token.file ?? null,
    cause: error,
  });
}

function kindOf(error: LiquidError, message: string): TemplateErrorKind {
  if (limitMessage.test(message)) return TemplateErrorKind.Limit;
  if (error.name === "UndefinedVariableError") return TemplateErrorKind.UndefinedVariable;
  if (error.name === "ParseError" || error.name === "TokenizationError") {
    return TemplateErrorKind.Parse;
  }
  return TemplateErrorKind.Render;
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.replace(/(, file:[^,]+)?, line:\d+, col:\d+$/, "") ?? message;
}
