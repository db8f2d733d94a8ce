import { DICOM_TAG, readDicomHeader, textValue } from './dicom-dataset';

/** The identifiers a result carries back to the archive (CONTRACT.md: `metadata.dicom`). */
export interface DicomIdentifiers {
  study_instance_uid?: string;
  series_instance_uid?: string;
  sop_instance_uid?: string;
  accession_number?: string;
  modality?: string;
  body_part_examined?: string;
}

const KEYS: ReadonlyArray<[keyof DicomIdentifiers, string]> = [
  ['study_instance_uid', DICOM_TAG.studyInstanceUid],
  ['series_instance_uid', DICOM_TAG.seriesInstanceUid],
  ['sop_instance_uid', DICOM_TAG.sopInstanceUid],
  ['accession_number', DICOM_TAG.accessionNumber],
  ['modality', DICOM_TAG.modality],
  ['body_part_examined', DICOM_TAG.bodyPartExamined],
];

export interface DicomIdentifiersRead {
  identifiers: DicomIdentifiers;
  /** Patient ID (0010,0020) as the file has it: the caller decides whether it may be kept. */
  patientId: string | undefined;
}

/** The identifiers present (absent or empty ones left out), from the file or its first bytes. */
export function readDicomIdentifiers(bytes: Uint8Array): DicomIdentifiersRead {
  const { elements } = readDicomHeader(bytes);
  const identifiers: DicomIdentifiers = {};
  for (const [key, tag] of KEYS) {
    const value = textValue(elements, tag);
    if (value !== undefined) identifiers[key] = value;
  }
  return { identifiers, patientId: textValue(elements, DICOM_TAG.patientId) };
}
