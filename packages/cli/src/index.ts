export {
  type CartwheelApi,
  ImportStoppedError,
  KeyRefusedError,
  makeCartwheelApi,
} from "./import/cartwheel-api.ts";
export { type CommandIo, exitCodes, importCommand } from "./import/command.ts";
export type { ImportKind, KindName, Reject } from "./import/import-kind.ts";
export { importKinds } from "./import/kinds.ts";
export { type ImportOptions, JournalMismatchError, runImport } from "./import/run-import.ts";
export { formatSummary, type ImportReport, writeRejectsFile } from "./import/summary.ts";
