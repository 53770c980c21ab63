import { X509Certificate, createPrivateKey, generateKeyPair, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { hostname as machineHostname } from "node:os";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import forge from "node-forge";

/** The TLS material in a keys folder: file paths and their PEM contents. */
export interface Certificates {
  /** The self-signed CA certificate (ca.pem), for clients to trust. */
  caFile: string;
  /** The server certificate signed by the CA (certificate.pem). */
  certificateFile: string;
  /** The server's private key (privateKey.pem, mode 0600). */
  privateKeyFile: string;
  /** PEM of the CA certificate. */
  ca: string;
  /** PEM of the server certificate. */
  certificate: string;
  /** PEM (PKCS#8) of the server's private key. */
  privateKey: string;
  /** True when this call wrote a new server certificate (and possibly a new CA). */
  created: boolean;
}

/** Options of {@link ensureCertificates}. */
export interface CertificateOptions {
  /** Names and addresses the server certificate must cover besides localhost, 127.0.0.1, ::1 and the machine's hostname. */
  hostnames?: string[];
}

/** The keys folder cannot be read or written, or a requested hostname is not valid. */
export class CertificateError extends Error {
  override name = "CertificateError";
}

/** Type guard for CertificateError that checks the name, not the prototype. */
export function isCertificateError(error: unknown): error is CertificateError {
  return error instanceof Error && error.name === "CertificateError";
}

const CA_DAYS = 3650;
const SERVER_DAYS = 825;
/** A certificate that expires sooner than this is issued again. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const generateRsaKeyPair = promisify(generateKeyPair);

/**
 * Makes sure keysDir holds a local CA (ca.pem; its key in ca.key, mode 0600) and a server
 * certificate signed by it (certificate.pem, privateKey.pem mode 0600) for localhost, 127.0.0.1,
 * ::1, the machine's hostname and options.hostnames. Files that are still good are reused. A
 * server certificate that is missing, expires within 30 days, lacks a name or does not match its
 * key is issued again by the existing CA, so clients that trust ca.pem keep working; the CA is
 * created again only when it is missing or unusable.
 */
export async function ensureCertificates(keysDir: string, options: CertificateOptions = {}): Promise<Certificates> {
  const names = subjectNames(options.hostnames ?? []);
  const files = {
    caFile: resolve(keysDir, "ca.pem"),
    caKeyFile: resolve(keysDir, "ca.key"),
    certificateFile: resolve(keysDir, "certificate.pem"),
    privateKeyFile: resolve(keysDir, "privateKey.pem"),
  };
  await io(`cannot create the keys folder ${keysDir}`, () => mkdir(keysDir, { recursive: true, mode: 0o700 }));
  const [ca, caKey, certificate, privateKey] = await Promise.all(
    [files.caFile, files.caKeyFile, files.certificateFile, files.privateKeyFile].map(readOptional),
  );
  const paths = { caFile: files.caFile, certificateFile: files.certificateFile, privateKeyFile: files.privateKeyFile };
  if (ca && certificate && privateKey && serverUsable(ca, certificate, privateKey, names)) {
    return { ...paths, ca, certificate, privateKey, created: false };
  }

  let authority = ca && caKey && caUsable(ca, caKey) ? { ca, caKey } : null;
  if (!authority) {
    const keys = await generateRsaKeyPair("rsa", rsaOptions);
    const pem = buildCertificate({
      subject: [
        { name: "commonName", value: `harper-ops local CA (${machineHostname()}, ${new Date().toISOString().slice(0, 10)})` },
        { name: "organizationName", value: "harper-ops" },
      ],
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      days: CA_DAYS,
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        { name: "subjectKeyIdentifier" },
      ],
    });
    await writeAtomic(files.caKeyFile, keys.privateKey, 0o600);
    await writeAtomic(files.caFile, pem, 0o644);
    authority = { ca: pem, caKey: keys.privateKey };
  }

  const keys = await generateRsaKeyPair("rsa", rsaOptions);
  const caCert = forge.pki.certificateFromPem(authority.ca);
  const pem = buildCertificate({
    subject: [
      { name: "commonName", value: "localhost" },
      { name: "organizationName", value: "harper-ops" },
    ],
    issuer: caCert.subject.attributes,
    publicKey: keys.publicKey,
    signingKey: authority.caKey,
    days: SERVER_DAYS,
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })) },
      { name: "subjectKeyIdentifier" },
      { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ],
  });
  await writeAtomic(files.privateKeyFile, keys.privateKey, 0o600);
  await writeAtomic(files.certificateFile, pem, 0o644);
  return { ...paths, ca: authority.ca, certificate: pem, privateKey: keys.privateKey, created: true };
}

const rsaOptions = {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
} as const;

/** The names the server certificate covers, lower-cased, without duplicates. */
function subjectNames(extra: string[]): string[] {
  const names = new Set(["localhost", "127.0.0.1", "::1", machineHostname().toLowerCase()]);
  for (const name of extra) {
    if (typeof name !== "string" || !/^[A-Za-z0-9*._:-]+$/.test(name)) {
      throw new CertificateError(`invalid hostname ${JSON.stringify(name)} for the server certificate`);
    }
    names.add(name.toLowerCase());
  }
  return [...names].filter((name) => name !== "");
}

interface CertificateSpec {
  subject: forge.pki.CertificateField[];
  /** The issuer's subject; the certificate is self-signed when omitted. */
  issuer?: forge.pki.CertificateField[];
  publicKey: string;
  signingKey: string;
  days: number;
  extensions: object[];
}

function buildCertificate(spec: CertificateSpec): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKey);
  // A positive serial of 128 random bits (RFC 5280 §4.1.2.2 allows up to 20 octets).
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  const notBefore = Date.now() - 3600 * 1000; // tolerate clocks a little behind ours
  cert.validity.notBefore = new Date(notBefore);
  cert.validity.notAfter = new Date(notBefore + spec.days * DAY_MS);
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer ?? spec.subject);
  cert.setExtensions(spec.extensions);
  cert.sign(forge.pki.privateKeyFromPem(spec.signingKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** True when the CA certificate is a CA, matches its key and stays valid long enough to sign. */
function caUsable(caPem: string, caKeyPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    return ca.ca && ca.checkPrivateKey(createPrivateKey(caKeyPem)) && lastsLongEnough(ca) && ca.verify(ca.publicKey);
  } catch {
    return false; // unreadable PEM: the CA is made again
  }
}

/** True when the server certificate is signed by the CA, matches its key, is valid and covers every name. */
function serverUsable(caPem: string, certPem: string, keyPem: string, names: string[]): boolean {
  try {
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    return (
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      lastsLongEnough(cert) &&
      names.every((name) => (isIP(name) ? cert.checkIP(name) : cert.checkHost(name)) !== undefined)
    );
  } catch {
    return false; // unreadable PEM: the certificate is issued again
  }
}

function lastsLongEnough(cert: X509Certificate): boolean {
  const now = Date.now();
  return Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) > now + RENEW_BEFORE_MS;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CertificateError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Writes through a temporary file and a rename, so a crash never leaves a half-written PEM. */
async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await io(`cannot write ${file}`, async () => {
    await writeFile(temporary, content, { mode });
    await rename(temporary, file);
  });
}

async function io<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new CertificateError(`${what}: ${(error as Error).message}`);
  }
}
