import { AbortMultipartUploadCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { GetObjectCommandOutput, S3ClientConfig } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";

/** Where and as whom to reach S3: the request's `s3` object, plus our optional endpoint settings. */
export interface S3Target {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
  key: string;
  /** An S3-compatible endpoint URL (e.g. http://127.0.0.1:4569); AWS's own when absent. */
  endpoint?: string;
  /** Path-style addressing (bucket in the path), needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
}

// An unreachable host fails after about 3 × 5 s (the SDK's 3 attempts), a refused port at once.
// requestTimeout runs until the response headers, so it covers sending one 5 MB part; the socket
// timeout catches a server that stalls while a body is streamed.
const requestHandler = { connectionTimeout: 5_000, requestTimeout: 120_000, throwOnRequestTimeout: true, socketTimeout: 60_000 };
const maxCachedClients = 16;
const clients = new Map<string, S3Client>();

/**
 * One S3Client per endpoint, region and credentials, kept in a small least-recently-used cache
 * (evicted clients are not destroyed, since a job may still be using them; their idle keep-alive
 * sockets are unreferenced and closed by the server).
 */
function clientFor(target: S3Target): S3Client {
  const id = JSON.stringify([target.endpoint ?? "", target.forcePathStyle ?? false, target.region, target.accessKeyId, target.secretAccessKey]);
  let client = clients.get(id);
  if (client) {
    clients.delete(id);
  } else {
    const config: S3ClientConfig = {
      region: target.region,
      credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
      requestHandler: { ...requestHandler },
    };
    if (target.forcePathStyle !== undefined) config.forcePathStyle = target.forcePathStyle;
    if (target.endpoint) {
      config.endpoint = target.endpoint;
      // S3-compatible servers often do not understand the SDK's default flexible checksums: a
      // streamed PutObject is sent as `aws-chunked` with a checksum trailer, which s3rver 3.7.1
      // stores verbatim (framing included). Checksums only where an operation requires them.
      config.requestChecksumCalculation = "WHEN_REQUIRED";
      config.responseChecksumValidation = "WHEN_REQUIRED";
    }
    client = new S3Client(config);
  }
  clients.set(id, client);
  if (clients.size > maxCachedClients) clients.delete(clients.keys().next().value as string);
  return client;
}

/**
 * The object as a byte stream (for streaming CSV/JSON parsing), with its content length if known.
 * Errors carry the SDK/network message (e.g. "The specified key does not exist.").
 */
export async function downloadObject(target: S3Target): Promise<{ body: AsyncIterable<Uint8Array>; length?: number }> {
  let answer: GetObjectCommandOutput;
  try {
    answer = await clientFor(target).send(new GetObjectCommand({ Bucket: target.bucket, Key: target.key }));
  } catch (error) {
    throw withClearMessage(error);
  }
  const body: unknown = answer.Body;
  if (!(body instanceof Readable)) throw new Error(`S3 returned no readable body for '${target.key}' in bucket '${target.bucket}'`);
  return answer.ContentLength === undefined ? { body } : { body, length: answer.ContentLength };
}

/**
 * Uploads a body (a string, Buffer or byte stream of unknown length: multipart via
 * @aws-sdk/lib-storage Upload) to target.key with a content type; resolves with the upload result
 * as a plain JSON object (ETag, Location, Bucket, Key, ...), which becomes the job's `result`.
 * On failure a stream body is destroyed and the parts already sent are aborted (best effort).
 */
export async function uploadObject(
  target: S3Target,
  body: string | Buffer | AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  contentType: string,
): Promise<Record<string, unknown>> {
  const source = typeof body === "string" || Buffer.isBuffer(body) ? body : body instanceof Readable ? body : Readable.from(body);
  const client = clientFor(target);
  // Parts are aborted here rather than by lib-storage, whose failed abort would replace the
  // error that made the upload fail (s3rver, for one, answers AbortMultipartUpload with 405).
  const upload = new Upload({
    client,
    params: { Bucket: target.bucket, Key: target.key, Body: source, ContentType: contentType },
    leavePartsOnError: true,
  });
  let result: unknown;
  try {
    result = await upload.done();
  } catch (error) {
    // The upload stopped reading; release the producer (a generator's `finally` runs).
    if (source instanceof Readable) source.destroy();
    if (upload.uploadId) await abortParts(client, target, upload.uploadId);
    throw withClearMessage(error);
  }
  // As Harper stores `upload.done()`: the output fields and `$metadata`, without undefined values.
  return JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
}

/**
 * Best effort to delete the parts of a failed multipart upload. A failure here is deliberately
 * not reported: the job must show why the upload failed, and leftover parts are only storage
 * that S3 lifecycle rules (AbortIncompleteMultipartUpload) expire.
 */
async function abortParts(client: S3Client, target: S3Target, uploadId: string): Promise<void> {
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }));
  } catch {
    // See the doc comment: the upload's own error is the one that matters.
  }
}

/**
 * The error itself when its message says what went wrong, else an Error that does: an
 * AggregateError (several addresses refused) has an empty message, and an answer that is not S3's
 * XML (a proxy, a web server) comes out of the SDK as "UnknownError" or a deserialization error.
 */
function withClearMessage(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(`S3 request failed: ${String(error)}`);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (error.message === "" && error instanceof AggregateError && error.errors.length > 0) {
    const messages = error.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner)));
    return new Error([...new Set(messages)].join("; "), { cause: error });
  }
  if (error.message === "" || error.message === "UnknownError") {
    const detail = status === undefined ? error.name : `HTTP ${status} ${error.name}`;
    return new Error(`S3 request failed without an error message (${detail})`, { cause: error });
  }
  if (error.message.includes("Deserialization error")) {
    return new Error(`S3 request failed: the endpoint answered${status === undefined ? "" : ` HTTP ${status}`} with a body that is not S3 XML`, { cause: error });
  }
  return error;
}
