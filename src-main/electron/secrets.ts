import { safeStorage } from 'electron';
import type { SecretCipher } from '../platform/secrets';

/** Secrets at rest through the OS keychain (DPAPI on Windows, Keychain on macOS, libsecret on Linux). */
export const safeStorageCipher: SecretCipher = {
  kind: 'electron-safe-storage',
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (blob) => safeStorage.decryptString(blob),
};

export const safeStorageUsable = (): boolean => safeStorage.isEncryptionAvailable();
