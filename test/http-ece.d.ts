// `http_ece` (the reference implementation of RFC 8188/8291, a devDependency for the push spec's
// receiver) ships no types: the part the spec uses.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';

  interface Params {
    version?: 'aes128gcm' | 'aesgcm';
    /** The receiver's key pair (an ECDH with its private key set). */
    privateKey?: ECDH;
    /** The subscription's auth secret, base64url or bytes. */
    authSecret?: string | Buffer;
  }

  const ece: {
    decrypt(buffer: Buffer, params: Params): Buffer;
    encrypt(buffer: Buffer, params: Params): Buffer;
  };
  export default ece;
}
