/**
 * PGlite decodes every text field with `new TextDecoder('utf-8')`, whose default drops a leading
 * U+FEFF, so a message that starts with a byte order mark came back one character short: the
 * database held it, the app lost it on every read. Text must come back byte-exact.
 *
 * PGlite offers no option for its decoder, so within the processes that open PGlite (the DB
 * worker, scripts, tests) a decoder made without options keeps the BOM. A caller that passes its
 * own options, including `ignoreBOM: false`, is unchanged. The test in keepByteOrderMark.test.ts
 * fails if a PGlite upgrade makes this unnecessary or ineffective.
 */
let installed = false;

export function keepByteOrderMarkInPglite(): void {
  if (installed) return;
  installed = true;
  const Native = globalThis.TextDecoder;
  class BomKeepingTextDecoder extends Native {
    constructor(label?: string, options?: ConstructorParameters<typeof Native>[1]) {
      super(label, options ?? { ignoreBOM: true });
    }
  }
  globalThis.TextDecoder = BomKeepingTextDecoder;
}
