import parleyVSchema from "./parley.vschema.json";
import parleyGlobalVSchema from "./parley_global.vschema.json";

/**
 * The VSchemas of the two keyspaces (README.md: how they map to Vitess and PlanetScale), by keyspace
 * name. Data only: the scatter guard that reads them lives in tooling/vitess-lint.
 */
export const VSCHEMAS = {
  parley: parleyVSchema,
  parley_global: parleyGlobalVSchema,
};
