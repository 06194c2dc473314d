/**
 * Bindings shared by the TR-143 diagnostics objects (`ip_diagnostics.ts`,
 * `nslookup_diagnostics.ts`): one provider per diagnostic object over a
 * {@linkcode DiagnosticsBackend} (the services layer's DiagnosticsManager implements
 * it; the data model only knows this interface), plus one per result table.
 *
 * Inputs and DiagnosticsState are writable; results are read-only (no `set` reaches
 * them: the provider refuses). DiagnosticsState accepts only Requested and Canceled
 * (TR-181 DiagnosticsState data type; other values → 9007); an input value the
 * backend says it cannot apply (`refusal`, e.g. a DSCP this device cannot mark) → 9007
 * with the backend's reason. Values the backend does
 * not know read as their type's placeholder (0, "", Unknown Time). Result tables are
 * listed fresh on every read (`snapshot: false`): a test may finish mid-session.
 *
 * @module
 */

import type {
  Binding,
  ChangeObjection,
  ParameterChange,
  ParameterRef,
  SetOutcome,
} from "../provider.ts";
import { nameOf } from "./_fields.ts";
import { nullValue } from "../null_value.ts";
import { conform } from "./_table.ts";

/** What the diagnostics bindings read and write. */
export interface DiagnosticsBackend {
  /** DiagnosticsState, an input or a result of diagnostic `name`; undefined when unknown. */
  value(name: string, parameter: string): string | undefined;
  /** Rows of result table `table` (e.g. `RouteHops`) of `name`, instance i = row i − 1. */
  rows(name: string, table: string): readonly Readonly<Record<string, string>>[];
  /**
   * Why input `parameter` of `name` cannot take `value` on this device (e.g. a DSCP it
   * cannot apply); undefined when it can. The binding refuses such a change with 9007.
   */
  refusal?(name: string, parameter: string, value: string): string | undefined;
  /** Applies one SPV batch of `name` (inputs and/or DiagnosticsState); returns the undo. */
  apply(name: string, changes: Readonly<Record<string, string>>): () => void;
}

/** The parameters one diagnostic object binds. */
export interface DiagnosticObjectSpec {
  /** Object path, e.g. `Device.IP.Diagnostics.IPPing.`. */
  readonly object: string;
  /** Backend name, e.g. `IPPing`. */
  readonly name: string;
  /** Writable parameters, DiagnosticsState first. */
  readonly inputs: readonly string[];
  /** Read-only parameters (results and constants). */
  readonly results: readonly string[];
  /** Result tables: name → row parameters. */
  readonly tables?: Readonly<Record<string, readonly string[]>>;
}

const WRITABLE_STATES = ["Requested", "Canceled"];

/** The bindings of one diagnostic object and its result tables. */
export function diagnosticBindings(
  backend: DiagnosticsBackend,
  spec: DiagnosticObjectSpec,
): Binding[] {
  const read = (ref: ParameterRef, value: string | undefined) =>
    value === undefined ? nullValue(ref.schema) : conform(ref.schema, value);
  const bindings: Binding[] = [{
    object: spec.object,
    parameters: [...spec.inputs, ...spec.results],
    provider: {
      get: (refs) => refs.map((ref) => read(ref, backend.value(spec.name, nameOf(ref)))),
      check(changes: readonly ParameterChange[]): ChangeObjection[] {
        const out: ChangeObjection[] = [];
        for (const change of changes) {
          const name = nameOf(change);
          if (!spec.inputs.includes(name)) {
            out.push({ path: change.path, message: `Result parameter is read-only: "${name}"` });
          } else if (name === "DiagnosticsState" && !WRITABLE_STATES.includes(change.value)) {
            out.push({
              path: change.path,
              message:
                `DiagnosticsState can only be set to Requested or Canceled: "${change.value}"`,
            });
          } else {
            const why = backend.refusal?.(spec.name, name, change.value);
            if (why !== undefined) out.push({ path: change.path, message: why });
          }
        }
        return out;
      },
      set(changes: readonly ParameterChange[]): SetOutcome {
        const batch: Record<string, string> = {};
        for (const change of changes) batch[nameOf(change)] = change.value;
        return { status: 0, undo: backend.apply(spec.name, batch) };
      },
    },
  }];
  for (const [table, parameters] of Object.entries(spec.tables ?? {})) {
    bindings.push({
      object: `${spec.object}${table}.{i}.`,
      parameters,
      snapshot: false,
      provider: {
        instances: () => backend.rows(spec.name, table).map((_, i) => i + 1),
        get: (refs) =>
          refs.map((ref) => {
            const row = backend.rows(spec.name, table)[ref.instances[ref.instances.length - 1] - 1];
            return read(ref, row?.[nameOf(ref)]);
          }),
      },
    });
  }
  return bindings;
}
