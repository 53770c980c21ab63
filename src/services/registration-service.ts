import type { ServiceImpl } from "@connectrpc/connect";
import type { RegistrationService } from "../../gen/harper/v1/registration_service_pb.js";

/**
 * The HarperDB version whose Operations API harper-ops answers. registration_info reports it as
 * `version`: clients read it to decide what the server supports, and harper-ops's own package
 * version (0.x) would tell them it is older than any Harper they know.
 */
export const harperVersion = "4.7.29";

/** The registration operations that are built. */
export type RegistrationOperations = Pick<ServiceImpl<typeof RegistrationService>, "registrationInfo" | "getFingerprint" | "setLicense">;

/**
 * The deprecated registration stubs, answered as HarperDB 4.7.29 answers them (spec
 * components-certs-analytics-registration.md §4.1): registration_info, get_fingerprint and
 * set_license (its input ignored).
 */
export function createRegistrationService(): RegistrationOperations {
  return {
    registrationInfo: () => ({ version: harperVersion, deprecated: true }),
    getFingerprint: () => ({ message: "this-is-deprecated", deprecated: true }),
    setLicense: () => ({ deprecated: true }),
  };
}
