import type { BulkS3Object } from "../../gen/harper/v1/bulk_service_pb.js";
import type { S3Target } from "../bulk/s3/s3-client.js";
import type { BulkSettings } from "../config/index.js";

/** The fields of a request's `s3` object, in Harper's order and with Harper's names. */
export const s3Fields = ["aws_access_key_id", "aws_secret_access_key", "bucket", "key", "region"] as const;

/** One of {@link s3Fields}. */
export type S3Field = (typeof s3Fields)[number];

/** The value of one field of the `s3` object; an empty string counts as missing. */
export function fieldOf(s3: BulkS3Object, field: S3Field): string | undefined {
  const value = {
    aws_access_key_id: s3.awsAccessKeyId,
    aws_secret_access_key: s3.awsSecretAccessKey,
    bucket: s3.bucket,
    key: s3.key,
    region: s3.region,
  }[field];
  return value === "" ? undefined : value;
}

/** Harper's list for a missing or incomplete `s3` object (spec §4.2). */
export function s3Problems(s3: BulkS3Object | undefined): string[] {
  const problems = s3 ? [] : ["S3 can't be blank"];
  for (const field of s3Fields) {
    if (!s3 || fieldOf(s3, field) === undefined) problems.push(`S3 ${field.replace(/_/g, " ")} can't be blank`);
  }
  return problems;
}

/** The S3 client's target for a checked `s3` object, with the server's endpoint settings. */
export function s3Target(s3: BulkS3Object, settings: BulkSettings): S3Target {
  return {
    accessKeyId: s3.awsAccessKeyId!,
    secretAccessKey: s3.awsSecretAccessKey!,
    bucket: s3.bucket!,
    key: s3.key!,
    region: s3.region!,
    endpoint: settings.s3Endpoint,
    forcePathStyle: settings.s3ForcePathStyle,
  };
}

/** The stored request of an S3 job, without the secret key. */
export function redactS3(request: Record<string, unknown>): Record<string, unknown> {
  const s3 = request["s3"];
  if (typeof s3 !== "object" || s3 === null || !("aws_secret_access_key" in s3 || "awsSecretAccessKey" in s3)) return request;
  const copy: Record<string, unknown> = { ...s3 };
  delete copy["aws_secret_access_key"];
  delete copy["awsSecretAccessKey"];
  return { ...request, s3: copy };
}
