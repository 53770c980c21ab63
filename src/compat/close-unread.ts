import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

/**
 * Once a response is sent, a request whose body was not read to the end (refused before it was
 * read, or over a limit) is cut off: its HTTP/2 stream is closed, its HTTP/1.1 connection ended,
 * so a client cannot make the server read or hold the rest.
 */
export function closeUnreadOnFinish(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
  res.once("finish", () => {
    if (req.complete) return;
    if ("stream" in req) req.stream.close();
    else req.socket.destroySoon();
  });
}
