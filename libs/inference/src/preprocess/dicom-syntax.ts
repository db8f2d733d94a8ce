/**
 * DICOM transfer syntaxes (PS3.6 Annex A): which ones we decode and how, and the name a refusal
 * gives for the others, so a client reads "JPEG 2000" rather than a bare UID.
 */

/** `jpeg`: the first frame's encapsulated bitstream goes through the JPEG decoder as it is. */
export type DicomPixelEncoding = 'jpeg' | 'raw';

interface SyntaxInfo {
  name: string;
  /** How we decode it; absent: refused. */
  encoding?: DicomPixelEncoding;
}

const SYNTAXES: Readonly<Record<string, SyntaxInfo>> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'raw' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'raw' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 (Lossless Only)' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000' },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 (Lossless Only)' },
  '1.2.840.10008.1.2.4.202': { name: 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)' },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000' },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG2 Main Profile / Main Level' },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264 High Profile / Level 4.1' },
  '1.2.840.10008.1.2.4.107': { name: 'HEVC/H.265 Main Profile / Level 5.1' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless' },
};

export interface TransferSyntax {
  uid: string;
  name: string;
  encoding: DicomPixelEncoding | null;
}

export function transferSyntax(uid: string): TransferSyntax {
  const info = SYNTAXES[uid];
  return { uid, name: info?.name ?? 'an unknown transfer syntax', encoding: info?.encoding ?? null };
}

/** How a refusal names a syntax: `JPEG 2000 (1.2.840.10008.1.2.4.91)`. */
export function describeSyntax(syntax: TransferSyntax): string {
  return `${syntax.name} (${syntax.uid})`;
}
