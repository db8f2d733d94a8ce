import { ConfigError } from '@dermafleet/jobs';
import { z } from 'zod';

/** The DICOM part of the API's environment (spread into api.config.ts's schema). */
export const dicomEnv = {
  DICOM_PATIENT_ID: z
    .enum(['omit', 'hash', 'keep'])
    .default('omit')
    .describe(
      "omit, hash or keep (what a DICOM upload's Patient ID becomes in metadata.dicom: nothing, a keyed HMAC, or the ID itself)",
    ),
  DICOM_PATIENT_ID_KEY: z
    .string()
    .min(16)
    .optional()
    .describe('a secret of 16+ characters that keys the HMAC-SHA256 of patient IDs (DICOM_PATIENT_ID=hash)'),
};

export type DicomPatientIdSettings = { mode: 'omit' } | { mode: 'keep' } | { mode: 'hash'; key: string };

type DicomEnv = z.output<z.ZodObject<typeof dicomEnv>>;

/**
 * `hash` without a key would have to invent one, and an unkeyed hash of a patient ID is
 * reversible by trying IDs: refuse to start instead.
 */
export function toDicomSettings(e: DicomEnv): DicomPatientIdSettings {
  if (e.DICOM_PATIENT_ID !== 'hash') return { mode: e.DICOM_PATIENT_ID };
  if (!e.DICOM_PATIENT_ID_KEY) {
    throw new ConfigError(
      'Configuration error: DICOM_PATIENT_ID=hash needs DICOM_PATIENT_ID_KEY, a secret of 16+ characters that keys the HMAC of patient IDs.',
    );
  }
  return { mode: 'hash', key: e.DICOM_PATIENT_ID_KEY };
}
