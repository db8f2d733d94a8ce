import { readDicomIdentifiers } from '@dermafleet/inference';
import type { ImageFormat } from '@dermafleet/jobs';
import { createHmac } from 'node:crypto';
import { HEADER_BYTES } from '../predictions/upload-check';
import type { SpooledFile } from '../uploads/spooled-file';
import type { DicomPatientIdSettings } from './dicom.env';

/**
 * `metadata.dicom` of a DICOM upload (CONTRACT.md): the study/series/instance identifiers that
 * let a result go back to the archive, and the Patient ID only as the operator chose: never
 * (`omit`), as a keyed HMAC-SHA256 (hex) that joins results to patients without storing the ID
 * (`hash`), or as it is (`keep`). Names and birth dates are never read.
 */
export function dicomMetadata(head: Uint8Array, patientId: DicomPatientIdSettings): Record<string, string> {
  const read = readDicomIdentifiers(head);
  const dicom: Record<string, string> = { ...read.identifiers };
  if (read.patientId !== undefined && patientId.mode === 'keep') dicom.patient_id = read.patientId;
  if (read.patientId !== undefined && patientId.mode === 'hash') {
    dicom.patient_id = createHmac('sha256', patientId.key).update(read.patientId, 'utf8').digest('hex');
  }
  return dicom;
}

/**
 * The request's metadata with `dicom` set from the upload's header (replacing any `dicom` the
 * client sent: these values come from the file). Other formats pass through unchanged.
 */
export async function withDicomMetadata(
  metadata: Record<string, unknown>,
  format: ImageFormat,
  file: SpooledFile,
  patientId: DicomPatientIdSettings,
): Promise<Record<string, unknown>> {
  if (format !== 'dicom') return metadata;
  return { ...metadata, dicom: dicomMetadata(await file.head(HEADER_BYTES), patientId) };
}
