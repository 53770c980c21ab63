/**
 * Harper's geo functions (spec sql.md §5 "geo"). Arguments are GeoJSON values or JSON strings of
 * them; a `[lon, lat]` array is a point. Harper wraps @turf 6.5.0: geoDistance, geoNear, geoLength,
 * geoArea, geoCircle and geoConvert are ported here formula for formula (earth radius 6371008.8 m;
 * area on 6378137 m as turf does); geoContains, geoEqual, geoCrosses and geoDifference load the
 * turf packages themselves (@turf/boolean-contains, -equal, -disjoint, difference, 6.5.0) on first use.
 * As in Harper, bad input gives NaN (measures) or false (predicates) rather than an error.
 */
import { createRequire } from "node:module";
import type { FunctionTable, ScalarFunction } from "./index.js";
import { member } from "./js-semantics.js";

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

// ---- @turf/helpers and @turf/invariant ----

const EARTH_RADIUS = 6371008.8;
const FACTORS: Readonly<Record<string, number>> = {
  centimeters: EARTH_RADIUS * 100,
  centimetres: EARTH_RADIUS * 100,
  degrees: EARTH_RADIUS / 111325,
  feet: EARTH_RADIUS * 3.28084,
  inches: EARTH_RADIUS * 39.37,
  kilometers: EARTH_RADIUS / 1000,
  kilometres: EARTH_RADIUS / 1000,
  meters: EARTH_RADIUS,
  metres: EARTH_RADIUS,
  miles: EARTH_RADIUS / 1609.344,
  millimeters: EARTH_RADIUS * 1000,
  millimetres: EARTH_RADIUS * 1000,
  nauticalmiles: EARTH_RADIUS / 1852,
  radians: 1,
  yards: EARTH_RADIUS * 1.0936,
};

function factor(units: unknown): number {
  const key = String(units);
  if (!Object.hasOwn(FACTORS, key)) throw new Error(`${key} units is invalid`);
  return FACTORS[key]!;
}

const num = (value: unknown): number => value as number;
const degreesToRadians = (degrees: unknown): number => ((num(degrees) % 360) * Math.PI) / 180;
const radiansToDegrees = (radians: number): number => ((radians % (2 * Math.PI)) * 180) / Math.PI;

/** turf's isNumber. */
const isNumber = (value: unknown): boolean => !isNaN(num(value)) && value !== null && !Array.isArray(value);

/** turf's getCoord: a Point feature, a Point geometry or an array of at least two non-arrays. */
function getCoord(coord: unknown): unknown[] {
  if (!coord) throw new Error("coord is required");
  if (!Array.isArray(coord)) {
    if (member(coord, "type") === "Feature" && member(coord, "geometry") !== null && member(member(coord, "geometry"), "type") === "Point") {
      return member(member(coord, "geometry"), "coordinates") as unknown[];
    }
    if (member(coord, "type") === "Point") return member(coord, "coordinates") as unknown[];
  }
  if (Array.isArray(coord) && coord.length >= 2 && !Array.isArray(coord[0]) && !Array.isArray(coord[1])) return coord;
  throw new Error("coord must be GeoJSON Point or an Array of numbers");
}

/** A GeoJSON Feature as turf's helpers build it (key order type, properties, geometry). */
interface Feature {
  type: "Feature";
  properties: unknown;
  geometry: { type: string; coordinates: unknown };
}

function feature(type: string, coordinates: unknown, properties: unknown): Feature {
  return { type: "Feature", properties: properties || {}, geometry: { type, coordinates } };
}

function point(coordinates: unknown, properties?: unknown): Feature {
  if (!coordinates) throw new Error("coordinates is required");
  if (!Array.isArray(coordinates)) throw new Error("coordinates must be an Array");
  if (coordinates.length < 2) throw new Error("coordinates must be at least 2 numbers long");
  if (!isNumber(coordinates[0]) || !isNumber(coordinates[1])) throw new Error("coordinates must contain numbers");
  return feature("Point", coordinates, properties);
}

function lineString(coordinates: unknown, properties?: unknown): Feature {
  if (num(member(coordinates, "length")) < 2) throw new Error("coordinates must be an array of two or more positions");
  return feature("LineString", coordinates, properties);
}

function polygon(coordinates: unknown, properties?: unknown): Feature {
  const rings = coordinates as unknown[];
  for (let i = 0; i < num(member(rings, "length")); i++) {
    const ring = rings[i] as unknown[];
    if (ring.length < 4) throw new Error("Each LinearRing of a Polygon must have 4 or more Positions.");
    const last = ring[ring.length - 1] as unknown[];
    const first = ring[0] as unknown[];
    for (let j = 0; j < last.length; j++) {
      if (last[j] !== first[j]) throw new Error("First and last Position are not equivalent.");
    }
  }
  return feature("Polygon", coordinates, properties);
}

/** The helpers geoConvert may call, by Harper's GEO_CONVERSION_ENUM names. */
const CONVERTERS: Readonly<Record<string, (coordinates: unknown, properties: unknown) => Feature>> = {
  point,
  lineString,
  multiLineString: (coordinates, properties) => feature("MultiLineString", coordinates, properties),
  multiPoint: (coordinates, properties) => feature("MultiPoint", coordinates, properties),
  multiPolygon: (coordinates, properties) => feature("MultiPolygon", coordinates, properties),
  polygon,
};

// ---- @turf/meta: walking the geometries of any GeoJSON ----

/** Calls `visit` with every geometry of a FeatureCollection, Feature, geometry or GeometryCollection (turf's geomEach). */
function eachGeometry(geojson: unknown, visit: (geometry: unknown) => void): void {
  const type = member(geojson, "type");
  const isCollection = type === "FeatureCollection";
  const isFeature = type === "Feature";
  const features = isCollection ? (member(geojson, "features") as unknown[]) : [];
  const stop = isCollection ? features.length : 1;
  for (let i = 0; i < stop; i++) {
    const maybeCollection = isCollection ? member(features[i], "geometry") : isFeature ? member(geojson, "geometry") : geojson;
    const isGeometryCollection = maybeCollection ? member(maybeCollection, "type") === "GeometryCollection" : false;
    const geometries = isGeometryCollection ? (member(maybeCollection, "geometries") as unknown[]) : [maybeCollection];
    for (const geometry of geometries) {
      if (geometry === null) {
        visit(null);
        continue;
      }
      switch (member(geometry, "type")) {
        case "Point":
        case "LineString":
        case "MultiPoint":
        case "Polygon":
        case "MultiLineString":
        case "MultiPolygon":
          visit(geometry);
          break;
        case "GeometryCollection":
          for (const inner of member(geometry, "geometries") as unknown[]) visit(inner);
          break;
        default:
          throw new Error("Unknown Geometry Type");
      }
    }
  }
}

/** The coordinate runs whose consecutive pairs are segments (lines and polygon rings), as turf's segmentEach walks them. */
function eachRun(geojson: unknown, visit: (run: unknown[]) => void): void {
  eachGeometry(geojson, (geometry) => {
    if (geometry === null) return;
    const coordinates = member(geometry, "coordinates") as unknown[];
    switch (member(geometry, "type")) {
      case "LineString":
        visit(coordinates);
        break;
      case "MultiLineString":
      case "Polygon":
        for (let i = 0; i < coordinates.length; i++) visit(coordinates[i] as unknown[]);
        break;
      case "MultiPolygon":
        for (let i = 0; i < coordinates.length; i++) {
          const rings = coordinates[i] as unknown[];
          for (let j = 0; j < rings.length; j++) visit(rings[j] as unknown[]);
        }
        break;
    }
  });
}

// ---- measures ----

/** turf's distance (haversine) between two points, in `units`. */
function distance(from: unknown, to: unknown, units: unknown): number {
  const c1 = getCoord(from);
  const c2 = getCoord(to);
  const dLat = degreesToRadians(num(c2[1]) - num(c1[1]));
  const dLon = degreesToRadians(num(c2[0]) - num(c1[0]));
  const lat1 = degreesToRadians(c1[1]);
  const lat2 = degreesToRadians(c2[1]);
  const a = Math.pow(Math.sin(dLat / 2), 2) + Math.pow(Math.sin(dLon / 2), 2) * Math.cos(lat1) * Math.cos(lat2);
  return 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a)) * factor(units);
}

/** turf's length: the summed distance of every segment. */
function length(geojson: unknown, units: unknown): number {
  let total = 0;
  eachRun(geojson, (run) => {
    for (let i = 1; i < run.length; i++) total += distance(run[i - 1], run[i], units);
  });
  return total;
}

const AREA_RADIUS = 6378137;
const rad = (value: unknown): number => (num(value) * Math.PI) / 180;

function ringArea(coords: unknown[]): number {
  const n = coords.length;
  if (n <= 2) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const [lower, middle, upper] = i === n - 2 ? [n - 2, n - 1, 0] : i === n - 1 ? [n - 1, 0, 1] : [i, i + 1, i + 2];
    const p1 = coords[lower] as unknown[];
    const p2 = coords[middle] as unknown[];
    const p3 = coords[upper] as unknown[];
    total += (rad(p3[0]) - rad(p1[0])) * Math.sin(rad(p2[1]));
  }
  return (total * AREA_RADIUS * AREA_RADIUS) / 2;
}

function polygonArea(rings: unknown[]): number {
  let total = 0;
  if (rings && rings.length > 0) {
    total += Math.abs(ringArea(rings[0] as unknown[]));
    for (let i = 1; i < rings.length; i++) total -= Math.abs(ringArea(rings[i] as unknown[]));
  }
  return total;
}

/** turf's area in square meters. */
function area(geojson: unknown): number {
  let total = 0;
  eachGeometry(geojson, (geometry) => {
    const coordinates = member(geometry, "coordinates") as unknown[];
    switch (member(geometry, "type")) {
      case "Polygon":
        total += polygonArea(coordinates);
        break;
      case "MultiPolygon":
        for (let i = 0; i < coordinates.length; i++) total += polygonArea(coordinates[i] as unknown[]);
        break;
    }
  });
  return total;
}

/** turf's destination: the point `length` away from `origin` along `bearing` degrees. */
function destination(origin: unknown, length: unknown, bearing: number, units: unknown): unknown[] {
  const c = getCoord(origin);
  const lon1 = degreesToRadians(c[0]);
  const lat1 = degreesToRadians(c[1]);
  const b = degreesToRadians(bearing);
  const radians = num(length) / factor(units);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(radians) + Math.cos(lat1) * Math.sin(radians) * Math.cos(b));
  const lon2 = lon1 + Math.atan2(Math.sin(b) * Math.sin(radians) * Math.cos(lat1), Math.cos(radians) - Math.sin(lat1) * Math.sin(lat2));
  return point([radiansToDegrees(lon2), radiansToDegrees(lat2)]).geometry.coordinates as unknown[];
}

/** turf's circle: a 64-step polygon feature around `center`. */
function circle(center: unknown, radius: unknown, units: unknown): Feature {
  const steps = 64;
  const centerProperties = !Array.isArray(center) && member(center, "type") === "Feature" ? member(center, "properties") : undefined;
  const ring: unknown[] = [];
  for (let i = 0; i < steps; i++) ring.push(destination(center, radius, (i * -360) / steps, units));
  ring.push(ring[0]);
  return polygon([ring], centerProperties || {});
}

// ---- turf packages loaded on first use ----

type TurfFunction = (a: unknown, b: unknown) => unknown;
const requireModule = createRequire(import.meta.url);
const loaded = new Map<string, TurfFunction>();

/** The function a turf 6.5.0 package exports (CommonJS; `default` or the module itself). */
function turf(pkg: string): TurfFunction {
  let fn = loaded.get(pkg);
  if (!fn) {
    let mod: unknown;
    try {
      mod = requireModule(pkg);
    } catch {
      throw new Error(`this geo function needs the npm package ${pkg}@6.5.0, which is not installed`);
    }
    const candidate = (mod as { default?: unknown }).default ?? mod;
    if (typeof candidate !== "function") throw new Error(`${pkg} does not export a function`);
    fn = candidate as TurfFunction;
    loaded.set(pkg, fn);
  }
  return fn;
}

/** Harper's wrapper of a two-geometry turf predicate: false for missing input or any failure. */
function predicate(pkg: string, negate: boolean): ScalarFunction {
  return ([a, b]) => {
    if (isEmpty(a) || isEmpty(b) || hasNullCoordinate(a) || hasNullCoordinate(b)) return false;
    const fn = turf(pkg);
    try {
      const result = fn(autoCastJSON(a), autoCastJSON(b));
      return negate ? !result : result;
    } catch {
      return false;
    }
  };
}

/** Runs a measure, answering NaN on any failure (Harper logs and returns NaN). */
function orNaN(measure: () => unknown): unknown {
  try {
    return measure();
  } catch {
    return NaN;
  }
}

const geoArea: ScalarFunction = ([geojson]) => (isEmpty(geojson) ? NaN : orNaN(() => area(autoCastJSON(geojson))));
const geoLength: ScalarFunction = ([geojson, units]) => (isEmpty(geojson) ? NaN : orNaN(() => length(autoCastJSON(geojson), units || "kilometers")));
const geoDistance: ScalarFunction = ([a, b, units]) =>
  isEmpty(a) || isEmpty(b) ? NaN : orNaN(() => distance(autoCastJSON(a), autoCastJSON(b), units || "kilometers"));

/** geoNear(a, b, distance[, units]): true when a and b are at most `distance` apart. */
const geoNear: ScalarFunction = ([a, b, within, units]) => {
  if (isEmpty(a) || isEmpty(b)) return false;
  if (isEmpty(within)) throw new Error("distance is required");
  if (isNaN(num(within))) throw new Error("distance must be a number");
  return (geoDistance([a, b, units]) as number) <= num(within);
};

/** geoCircle(center, radius[, units]): a Polygon feature. */
const geoCircle: ScalarFunction = ([center, radius, units]) =>
  isEmpty(center) || isEmpty(radius) ? NaN : orNaN(() => circle(autoCastJSON(center), radius, units || "kilometers"));

/** geoDifference(polygon1, polygon2): polygon1 minus polygon2 (a feature), null when nothing is left. */
const geoDifference: ScalarFunction = ([a, b]) => {
  if (isEmpty(a) || isEmpty(b)) return NaN;
  const difference = turf("@turf/difference");
  return orNaN(() => difference(autoCastJSON(a), autoCastJSON(b)));
};

/** geoConvert(coordinates, type[, properties]): a GeoJSON feature; errors are thrown, as in Harper. */
const geoConvert: ScalarFunction = ([coordinates, geoType, properties]) => {
  if (isEmpty(coordinates) || member(coordinates, "length") === 0 || member(coordinates, "size") === 0) throw new Error("coordinates is required");
  if (isEmpty(geoType)) throw new Error("geo_type is required");
  const type = String(geoType);
  if (!Object.hasOwn(CONVERTERS, type)) {
    throw new Error(`geoType of ${type} is invalid please use one of the following types: ${Object.keys(CONVERTERS).join(",")}`);
  }
  return CONVERTERS[type]!(autoCastJSON(coordinates), properties);
};

/** Geo functions keyed by SQL name (Harper registers them case-insensitively as geoArea, GEOAREA, ...). */
export const geoFunctions: FunctionTable = {
  GEOAREA: geoArea,
  GEOLENGTH: geoLength,
  GEODISTANCE: geoDistance,
  GEONEAR: geoNear,
  GEOCIRCLE: geoCircle,
  GEOCONTAINS: predicate("@turf/boolean-contains", false),
  GEOEQUAL: predicate("@turf/boolean-equal", false),
  GEOCROSSES: predicate("@turf/boolean-disjoint", true),
  GEODIFFERENCE: geoDifference,
  GEOCONVERT: geoConvert,
};
