import { warn } from "./safe";

/** A tiny typed event emitter whose handlers' errors never escape. */
export interface Emitter<Events extends Record<string, unknown>> {
  on<Name extends keyof Events>(name: Name, handler: (detail: Events[Name]) => void): () => void;
  emit<Name extends keyof Events>(name: Name, detail: Events[Name]): void;
}

export function makeEmitter<Events extends Record<string, unknown>>(): Emitter<Events> {
  const handlers = new Map<keyof Events, Set<(detail: never) => void>>();
  return {
    on(name, handler) {
      const set = handlers.get(name) ?? new Set();
      handlers.set(name, set);
      set.add(handler);
      return () => set.delete(handler);
    },
    emit(name, detail) {
      for (const handler of handlers.get(name) ?? []) {
        try {
          (handler as (detail: Events[typeof name]) => void)(detail);
        } catch (error) {
          warn(error);
        }
      }
    },
  };
}
