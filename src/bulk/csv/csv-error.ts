/** A problem that ends a CSV load (a bad column name, a value its declared type refuses). */
export class CsvError extends Error {
  override name = "CsvError";
}
