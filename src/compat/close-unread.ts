import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

/** The most of an unread HTTP/1.1 body drained to keep the connection (a token request's size), and for how long. */
const drainableBytes = 64 * 1024;
const drainMs = 1000;

/**
 * Once a response is sent, a request whose body was not read to the end (refused before it was
 * read, or over a limit) is cut off: its HTTP/2 stream is closed, its HTTP/1.1 connection ended
 * unless the rest is small and quick, so a client cannot make the server read or hold it.
 */
export function closeUnreadOnFinish(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
  res.once("finish", () => {
    if (req.complete) return;
    if ("stream" in req) return void req.stream.close();
    // HTTP/1.1: Node reads and drops the rest of the body to keep the connection usable for the
    // client's next request; a rest larger than a token request, or slower than a second, ends
    // the connection instead.
    let drained = 0;
    const cut = () => req.socket.destroy();
    const timer = setTimeout(cut, drainMs).unref();
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > drainableBytes) cut();
    });
    req.once("end", () => clearTimeout(timer));
    req.once("close", () => clearTimeout(timer));
  });
}
