import { request } from "node:http";
import type { JsonValue } from "@bufbuild/protobuf";

// One HTTP/1.1 request per step on a fresh connection (no keep-alive), so the replay leaves no
// idle sockets that would hold the server open when it closes.

/** A request that got no answer in time, or failed on the socket. */
export class SendError extends Error {
  override name = "SendError";
}

/** What to send. */
export interface Outgoing {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** The status and the body, parsed when it is JSON and `{"raw": text}` when it is not. */
export interface Incoming {
  status: number;
  body: JsonValue;
}

/** POSTs a body and reads the whole answer. */
export function sendRequest(outgoing: Outgoing): Promise<Incoming> {
  return new Promise((resolve, reject) => {
    const req = request(
      outgoing.url,
      {
        method: "POST",
        agent: false,
        headers: { ...outgoing.headers, "content-length": String(Buffer.byteLength(outgoing.body)) },
        timeout: outgoing.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => reject(new SendError(`Reading the answer failed: ${error.message}`)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: JsonValue;
          try {
            body = JSON.parse(text) as JsonValue;
          } catch {
            body = { raw: text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("timeout", () => req.destroy(new SendError(`No answer within ${outgoing.timeoutMs} ms`)));
    req.on("error", (error) => reject(error instanceof SendError ? error : new SendError(error.message)));
    req.end(outgoing.body);
  });
}
