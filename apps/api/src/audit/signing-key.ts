import { KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { keyIdOf } from '@app/audit';
import { ConfigError } from '@app/infrastructure';
import { AppConfig } from '../config/config';

export type SigningKey = Readonly<{ privateKey: KeyObject; publicKey: KeyObject; keyId: string }>;

export const SIGNING_KEY = Symbol('SigningKey');

const KEY_FILE = 'audit-signing-key.pem';

/**
 * The checkpoint signing key, held outside the database: AUDIT_SIGNING_KEY, or a file under
 * DATA_DIR readable by its owner only, made on first start.
 */
export async function loadSigningKey(config: Pick<AppConfig, 'dataDir' | 'audit'>): Promise<SigningKey> {
  const pem = config.audit.signingKey ?? (await keyFromFile(resolve(config.dataDir)));
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError('AUDIT_SIGNING_KEY is not a PKCS#8 PEM private key.');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError('The audit signing key must be an Ed25519 key.');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

async function keyFromFile(dataDir: string): Promise<string> {
  const file = join(dataDir, KEY_FILE);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return readFile(file, 'utf8');
}
