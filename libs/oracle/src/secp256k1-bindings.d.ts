/**
 * The part of the `secp256k1` package's native binding (libsecp256k1 through N-API, prebuilt
 * binaries loaded by node-gyp-build) that signature.ts uses. `secp256k1/bindings.js` is imported
 * instead of the package root, whose index silently falls back to the `elliptic` JavaScript
 * implementation when the binary does not load; this entry throws instead.
 */
declare module 'secp256k1/bindings.js' {
  interface RecoverableSignature {
    readonly signature: Uint8Array;
    readonly recid: number;
  }
  interface NativeSecp256k1 {
    /** Throws on an unparsable signature or when no key can be recovered. */
    ecdsaRecover(
      signature64: Uint8Array,
      recid: number,
      msg32: Uint8Array,
      compressed?: boolean,
      output?: Uint8Array,
    ): Uint8Array;
    /** RFC 6979 nonce, normalised (low) s. */
    ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): RecoverableSignature;
    publicKeyCreate(privateKey: Uint8Array, compressed?: boolean, output?: Uint8Array): Uint8Array;
  }
  const secp256k1: NativeSecp256k1;
  export default secp256k1;
}
