import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";

/** Where and as whom to reach S3: the request's `s3` object, plus the configured endpoint. */
export interface S3Target {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
  key: string;
  /** An S3-compatible endpoint URL; AWS's own when absent. */
  endpoint?: string;
  /** Path-style addressing (bucket in the path), which most S3-compatible servers need. */
  forcePathStyle?: boolean;
}

const clients = new Map<string, S3Client>();

/** One client per endpoint, region and credentials, with timeouts so that an unreachable store fails in seconds. */
function clientOf(target: S3Target): S3Client {
  const id = JSON.stringify([target.endpoint, target.forcePathStyle, target.region, target.accessKeyId, target.secretAccessKey]);
  let client = clients.get(id);
  if (!client) {
    client = new S3Client({
      region: target.region,
      credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
      ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: target.forcePathStyle ?? false } : {}),
      // S3-compatible servers do not all know the newer checksum headers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 5000, requestTimeout: 60000 },
    });
    if (clients.size > 32) clients.clear();
    clients.set(id, client);
  }
  return client;
}

/** The object as a byte stream, with its length when known; rejects with S3's or the network's message. */
export async function downloadObject(target: S3Target): Promise<{ body: AsyncIterable<Uint8Array>; length?: number }> {
  const answer = await clientOf(target).send(new GetObjectCommand({ Bucket: target.bucket, Key: target.key }));
  if (!answer.Body) throw new Error(`The object ${target.key} has no body`);
  return { body: answer.Body as unknown as AsyncIterable<Uint8Array>, length: answer.ContentLength };
}

/** Uploads a body (multipart for streams of unknown length) and resolves with the upload result as plain JSON. */
export async function uploadObject(
  target: S3Target,
  body: string | Buffer | AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  contentType: string,
): Promise<Record<string, unknown>> {
  const stream = typeof body === "string" || Buffer.isBuffer(body) ? body : body instanceof Readable ? body : Readable.from(body as AsyncIterable<Uint8Array>);
  const upload = new Upload({
    client: clientOf(target),
    params: { Bucket: target.bucket, Key: target.key, Body: stream, ContentType: contentType },
  });
  const result = (await upload.done()) as unknown;
  return JSON.parse(JSON.stringify(result, (key, value) => (key === "$metadata" ? undefined : value))) as Record<string, unknown>;
}
