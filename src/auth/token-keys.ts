import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/** The RS256 key pair that signs operation and refresh tokens. */
export interface TokenKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const files = { privateKey: ".jwtPrivate.key", publicKey: ".jwtPublic.key", passphrase: ".jwtPass" };

/**
 * Loads the token signing keys from `keysDir`, creating them on first start as Harper does: an
 * RSA key pair, the private key PKCS#8 PEM encrypted (aes-256-cbc) with a random passphrase kept
 * in `.jwtPass`, the public key SPKI PEM.
 */
export async function ensureTokenKeys(keysDir: string): Promise<TokenKeys> {
  const paths = {
    privateKey: join(keysDir, files.privateKey),
    publicKey: join(keysDir, files.publicKey),
    passphrase: join(keysDir, files.passphrase),
  };
  try {
    const [privatePem, publicPem, passphrase] = await Promise.all([
      readFile(paths.privateKey, "utf8"),
      readFile(paths.publicKey, "utf8"),
      readFile(paths.passphrase, "utf8"),
    ]);
    return {
      privateKey: createPrivateKey({ key: privatePem, passphrase: passphrase.trim() }),
      publicKey: createPublicKey(publicPem),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(keysDir, { recursive: true });
  const passphrase = randomUUID();
  const pair = await promisify(generateKeyPair)("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase },
  });
  await writeFile(paths.passphrase, passphrase, { mode: 0o600 });
  await writeFile(paths.privateKey, pair.privateKey, { mode: 0o600 });
  await writeFile(paths.publicKey, pair.publicKey, { mode: 0o644 });
  return { privateKey: createPrivateKey({ key: pair.privateKey, passphrase }), publicKey: createPublicKey(pair.publicKey) };
}
