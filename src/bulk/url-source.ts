import { request as httpRequest } from "node:http";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { lookup } from "node:dns";
import type { LookupFunction } from "node:net";
import { isPublicAddress } from "./server-paths.js";

/** The content types Harper loads from a URL (spec bulk-jobs.md §4.4). */
const csvTypes = new Set(["text/csv", "application/octet-stream", "text/plain", "application/vnd.ms-excel"]);

/** How to fetch: headers to pass through, a time limit, and whether only public addresses may be reached. */
export interface UrlOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  publicOnly: boolean;
}

/** A name lookup that refuses addresses that are not public (checked when connecting, so a DNS answer cannot change in between). */
const publicLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 4);
    const list = addresses as Array<{ address: string; family: number }>;
    const refused = list.find((a) => !isPublicAddress(a.address));
    if (refused) return callback(new Error(`the address ${refused.address} of ${hostname} is not public`), "", 4);
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/**
 * Opens a CSV download (spec bulk-jobs.md §4.4): GET with the passthrough headers, following no
 * redirect, failing when the connection stays idle for `timeoutMs`. Rejects with Harper's
 * messages for a non-200 answer and a content type that is not CSV-like, and with the network
 * error's text otherwise; the body is handed over as a stream, checked for emptiness by the caller.
 */
export function openCsvUrl(url: string, options: UrlOptions): Promise<AsyncIterable<Buffer>> {
  const parsed = new URL(url);
  const send = parsed.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      parsed,
      { method: "GET", headers: options.headers ?? {}, ...(options.publicOnly ? { lookup: publicLookup } : {}) },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          return reject(new Error(`CSV Load failed from URL: ${url}, status code: ${status}, message: ${res.statusMessage ?? ""}`));
        }
        const type = String(res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
        if (!csvTypes.has(type)) {
          res.resume();
          return reject(new Error(`CSV Load failed from URL: ${url}, unsupported content type: ${type}`));
        }
        resolve(nonEmpty(res, url));
      },
    );
    // An idle connection (no connection, no answer, a stalled body) fails after `timeoutMs`.
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`CSV Load failed from URL: ${url}, nothing received for ${options.timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** The body, failing with Harper's "no csv found at url" when it is empty. */
async function* nonEmpty(body: AsyncIterable<Buffer>, url: string): AsyncGenerator<Buffer> {
  let any = false;
  for await (const chunk of body) {
    if (chunk.length) any = true;
    yield chunk;
  }
  if (!any) throw new Error(`CSV Load failed from URL: ${url}, no csv found at url`);
}
