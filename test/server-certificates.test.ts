import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ensureCertificates, isCertificateError } from "../src/server/certificates.js";
import type { Certificates } from "../src/server/certificates.js";

const YEAR_MS = 365 * 24 * 3600 * 1000;

describe("ensureCertificates", () => {
  let keysDir: string;
  let first: Certificates;

  before(async () => {
    keysDir = join(await mkdtemp(join(tmpdir(), "harper-ops-certs-")), "keys");
    first = await ensureCertificates(keysDir);
  });
  after(async () => {
    await rm(join(keysDir, ".."), { recursive: true, force: true });
  });

  it("creates a CA, a server certificate and their keys on first call", async () => {
    assert.equal(first.created, true);
    assert.equal(first.caFile, join(keysDir, "ca.pem"));
    assert.equal(first.certificateFile, join(keysDir, "certificate.pem"));
    assert.equal(first.privateKeyFile, join(keysDir, "privateKey.pem"));
    assert.equal(await readFile(first.caFile, "utf8"), first.ca);
    assert.equal(await readFile(first.certificateFile, "utf8"), first.certificate);
    assert.equal(await readFile(first.privateKeyFile, "utf8"), first.privateKey);
  });

  it("keeps both private keys readable by the owner only", async () => {
    for (const file of ["ca.key", "privateKey.pem"]) {
      assert.equal((await stat(join(keysDir, file))).mode & 0o777, 0o600, file);
    }
  });

  it("signs the server certificate with the CA", () => {
    const ca = new X509Certificate(first.ca);
    const cert = new X509Certificate(first.certificate);
    assert.equal(ca.ca, true);
    assert.equal(cert.ca, false);
    assert.equal(ca.verify(ca.publicKey), true);
    assert.equal(cert.checkIssued(ca), true);
    assert.equal(cert.verify(ca.publicKey), true);
    assert.equal(cert.checkPrivateKey(createPrivateKey(first.privateKey)), true);
  });

  it("covers localhost, 127.0.0.1, ::1 and the machine's hostname", () => {
    const cert = new X509Certificate(first.certificate);
    assert.equal(cert.checkHost("localhost"), "localhost");
    assert.equal(cert.checkHost(hostname()), hostname().toLowerCase());
    assert.equal(cert.checkIP("127.0.0.1"), "127.0.0.1");
    assert.ok(cert.checkIP("::1"));
    assert.match(cert.subjectAltName ?? "", /DNS:localhost/);
  });

  it("makes certificates valid for a year or more", () => {
    for (const pem of [first.ca, first.certificate]) {
      const cert = new X509Certificate(pem);
      assert.ok(Date.parse(cert.validFrom) <= Date.now());
      assert.ok(Date.parse(cert.validTo) - Date.now() >= YEAR_MS);
    }
  });

  it("reuses the files on later calls", async () => {
    const again = await ensureCertificates(keysDir);
    assert.equal(again.created, false);
    assert.equal(again.ca, first.ca);
    assert.equal(again.certificate, first.certificate);
    assert.equal(again.privateKey, first.privateKey);
  });

  it("issues a new server certificate from the same CA when a hostname is missing", async () => {
    const wider = await ensureCertificates(keysDir, { hostnames: ["harper.example.test", "10.1.2.3"] });
    assert.equal(wider.created, true);
    assert.equal(wider.ca, first.ca);
    assert.notEqual(wider.certificate, first.certificate);
    const cert = new X509Certificate(wider.certificate);
    assert.equal(cert.checkIssued(new X509Certificate(wider.ca)), true);
    assert.equal(cert.checkHost("harper.example.test"), "harper.example.test");
    assert.equal(cert.checkIP("10.1.2.3"), "10.1.2.3");
    assert.equal(cert.checkHost("localhost"), "localhost");
    const same = await ensureCertificates(keysDir, { hostnames: ["harper.example.test"] });
    assert.equal(same.created, false);
  });

  it("issues the server certificate again when its file is damaged", async () => {
    await writeFile(join(keysDir, "certificate.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n");
    const repaired = await ensureCertificates(keysDir);
    assert.equal(repaired.created, true);
    assert.equal(repaired.ca, first.ca);
    assert.equal(new X509Certificate(repaired.certificate).checkIssued(new X509Certificate(first.ca)), true);
  });

  it("creates a new CA when the CA key is gone", async () => {
    await rm(join(keysDir, "ca.key"));
    await writeFile(join(keysDir, "certificate.pem"), "");
    const renewed = await ensureCertificates(keysDir);
    assert.equal(renewed.created, true);
    assert.notEqual(renewed.ca, first.ca);
    assert.equal(new X509Certificate(renewed.certificate).checkIssued(new X509Certificate(renewed.ca)), true);
  });

  it("rejects an invalid hostname with a clear message", async () => {
    await assert.rejects(ensureCertificates(keysDir, { hostnames: ["bad host"] }), (error: unknown) => {
      assert.ok(isCertificateError(error));
      assert.equal(error.message, 'invalid hostname "bad host" for the server certificate');
      return true;
    });
  });

  it("names the folder when it cannot be created", async () => {
    const blocked = join(keysDir, "ca.pem", "sub");
    await assert.rejects(ensureCertificates(blocked), (error: unknown) => {
      assert.ok(isCertificateError(error));
      assert.match(error.message, /^cannot create the keys folder .*ca\.pem\/sub: /);
      return true;
    });
  });
});
