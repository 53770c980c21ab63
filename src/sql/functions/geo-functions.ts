/**
 * Harper's geo functions (spec sql.md §5 "geo"). Arguments are GeoJSON values or JSON strings of
 * them; a `[lon, lat]` array is a point. Harper 4.7 wraps @turf 6.5.0, and so does this file: it
 * only applies Harper's argument rules (autoCastJSON, isEmpty, the null-coordinate guard, default
 * units) and hands the values to turf. As in Harper, bad input gives NaN (measures) or false
 * (predicates) rather than an error.
 */
import { createRequire } from "node:module";
import type { Coord, Feature, Geometry, MultiPolygon, Polygon, Properties, Units } from "@turf/helpers" with { "resolution-mode": "require" };
import type { FunctionTable, ScalarFunction } from "./index.js";
import { member } from "./js-semantics.js";

// turf 6.5.0's `import` entry points (dist/es) have no typings TypeScript can reach through their
// exports maps, so the CommonJS builds are required: they are also the very files Harper loads.
const requireCjs = createRequire(import.meta.url);
const { default: area } = requireCjs("@turf/area") as typeof import("@turf/area", { with: { "resolution-mode": "require" } });
const { default: circle } = requireCjs("@turf/circle") as typeof import("@turf/circle", { with: { "resolution-mode": "require" } });
const { default: distance } = requireCjs("@turf/distance") as typeof import("@turf/distance", { with: { "resolution-mode": "require" } });
const { default: length } = requireCjs("@turf/length") as typeof import("@turf/length", { with: { "resolution-mode": "require" } });
const helpers = requireCjs("@turf/helpers") as typeof import("@turf/helpers", { with: { "resolution-mode": "require" } });
const { default: booleanContains } = requireCjs("@turf/boolean-contains") as typeof import("@turf/boolean-contains", { with: { "resolution-mode": "require" } });
const { default: booleanEqual } = requireCjs("@turf/boolean-equal") as typeof import("@turf/boolean-equal", { with: { "resolution-mode": "require" } });
const { default: booleanDisjoint } = requireCjs("@turf/boolean-disjoint") as typeof import("@turf/boolean-disjoint", { with: { "resolution-mode": "require" } });
// @turf/difference keeps its typings (index.d.ts) outside its exports map, so they are restated here.
type Polygonal = Feature<Polygon | MultiPolygon> | Polygon | MultiPolygon;
const difference = requireCjs("@turf/difference") as (polygon1: Polygonal, polygon2: Polygonal) => Feature<Polygon | MultiPolygon> | null;

// ---- Harper's argument handling ----

/** Harper's isEmpty: null or undefined. */
const isEmpty = (value: unknown): boolean => value === null || value === undefined;

/** Harper's autoCastJSON: a string that looks like a JSON object or array is parsed, if it parses. */
function autoCastJSON(value: unknown): unknown {
  if (typeof value === "string" && ((value.startsWith("{") && value.endsWith("}")) || (value.startsWith("[") && value.endsWith("]")))) {
    try {
      return JSON.parse(value);
    } catch {
      // not JSON after all: keep the string
    }
  }
  return value;
}

/** Harper's guard before the boolean predicates: `value.coordinates && value.coordinates.includes?.(null)`. */
function hasNullCoordinate(value: unknown): boolean {
  const coordinates = member(value, "coordinates");
  if (!coordinates) return false;
  const includes = member(coordinates, "includes");
  return typeof includes === "function" && Boolean(includes.call(coordinates, null));
}

/** Harper's `units ? units : 'kilometers'`; turf rejects unknown units itself. */
const unitsOr = (units: unknown): Units => (units || "kilometers") as Units;

/** Runs a measure, answering NaN on any failure (Harper logs and returns NaN). */
function orNaN(measure: () => unknown): unknown {
  try {
    return measure();
  } catch {
    return NaN;
  }
}

// The casts below hand turf the user's values unchecked, as Harper does: turf validates them and throws.

/** Harper's wrapper of a two-geometry turf predicate: false for missing input or any failure. */
function predicate(test: (a: Feature | Geometry, b: Feature | Geometry) => boolean, negate: boolean): ScalarFunction {
  return ([a, b]) => {
    if (isEmpty(a) || isEmpty(b) || hasNullCoordinate(a) || hasNullCoordinate(b)) return false;
    try {
      const result = test(autoCastJSON(a) as Geometry, autoCastJSON(b) as Geometry);
      return negate ? !result : result;
    } catch {
      return false;
    }
  };
}

const geoArea: ScalarFunction = ([geojson]) => (isEmpty(geojson) ? NaN : orNaN(() => area(autoCastJSON(geojson) as Geometry)));
const geoLength: ScalarFunction = ([geojson, units]) =>
  isEmpty(geojson) ? NaN : orNaN(() => length(autoCastJSON(geojson) as Feature, { units: unitsOr(units) }));
const geoDistance: ScalarFunction = ([a, b, units]) =>
  isEmpty(a) || isEmpty(b) ? NaN : orNaN(() => distance(autoCastJSON(a) as Coord, autoCastJSON(b) as Coord, { units: unitsOr(units) }));

/** geoNear(a, b, distance[, units]): true when a and b are at most `distance` apart. */
const geoNear: ScalarFunction = ([a, b, within, units]) => {
  if (isEmpty(a) || isEmpty(b)) return false;
  if (isEmpty(within)) throw new Error("distance is required");
  if (isNaN(within as number)) throw new Error("distance must be a number");
  return (geoDistance([a, b, units]) as number) <= (within as number);
};

/** geoCircle(center, radius[, units]): a 64-step Polygon feature. */
const geoCircle: ScalarFunction = ([center, radius, units]) =>
  isEmpty(center) || isEmpty(radius) ? NaN : orNaN(() => circle(autoCastJSON(center) as Coord, radius as number, { units: unitsOr(units) }));

/** geoDifference(polygon1, polygon2): polygon1 minus polygon2 (a feature), null when nothing is left. */
const geoDifference: ScalarFunction = ([a, b]) =>
  isEmpty(a) || isEmpty(b) ? NaN : orNaN(() => difference(autoCastJSON(a) as Polygonal, autoCastJSON(b) as Polygonal));

/** The @turf/helpers constructors geoConvert may call, by Harper's GEO_CONVERSION_ENUM names (in its order). */
const CONVERTERS = {
  point: helpers.point,
  lineString: helpers.lineString,
  multiLineString: helpers.multiLineString,
  multiPoint: helpers.multiPoint,
  multiPolygon: helpers.multiPolygon,
  polygon: helpers.polygon,
} as Readonly<Record<string, (coordinates: unknown, properties: Properties) => Feature>>;

/** geoConvert(coordinates, type[, properties]): a GeoJSON feature; errors are thrown, as in Harper. */
const geoConvert: ScalarFunction = ([coordinates, geoType, properties]) => {
  if (isEmpty(coordinates) || member(coordinates, "length") === 0 || member(coordinates, "size") === 0) throw new Error("coordinates is required");
  if (isEmpty(geoType)) throw new Error("geo_type is required");
  const type = String(geoType);
  if (!Object.hasOwn(CONVERTERS, type)) {
    throw new Error(`geoType of ${type} is invalid please use one of the following types: ${Object.keys(CONVERTERS).join(",")}`);
  }
  return CONVERTERS[type]!(autoCastJSON(coordinates), properties as Properties);
};

/** Geo functions keyed by SQL name (Harper registers them case-insensitively as geoArea, GEOAREA, ...). */
export const geoFunctions: FunctionTable = {
  GEOAREA: geoArea,
  GEOLENGTH: geoLength,
  GEODISTANCE: geoDistance,
  GEONEAR: geoNear,
  GEOCIRCLE: geoCircle,
  GEOCONTAINS: predicate(booleanContains, false),
  GEOEQUAL: predicate(booleanEqual, false),
  GEOCROSSES: predicate(booleanDisjoint, true),
  GEODIFFERENCE: geoDifference,
  GEOCONVERT: geoConvert,
};
