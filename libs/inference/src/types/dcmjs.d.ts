/**
 * The part of dcmjs (which ships no types) that dermafleet uses: reading a Part 10 file into
 * tag-keyed elements, and (in tests) writing one.
 */
declare module 'dcmjs' {
  /** One element: its VR and its values (strings, numbers, or ArrayBuffers for pixel data). */
  export interface DicomElement {
    vr: string;
    Value?: unknown[];
  }
  /** Elements keyed by tag as 8 upper-case hex digits, e.g. `0020000D`. */
  export type DicomElements = Record<string, DicomElement>;

  export interface ReadOptions {
    ignoreErrors?: boolean;
    /** Stop at this tag (8 hex digits) without reading its value. */
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  export interface WriteOptions {
    /** Split each encapsulated frame into 20 KiB fragments (default true). */
    fragmentMultiframe?: boolean;
    allowInvalidVRLength?: boolean;
  }

  class DicomDict {
    constructor(meta: DicomElements);
    meta: DicomElements;
    dict: DicomElements;
    write(options?: WriteOptions): ArrayBuffer;
  }

  class DicomMessage {
    static readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
  }

  export const data: { DicomDict: typeof DicomDict; DicomMessage: typeof DicomMessage };

  /** dcmjs's loglevel root logger. */
  export const log: { getLogger(name: string): { setLevel(level: 'silent' | 'error' | 'warn'): void } };
}
