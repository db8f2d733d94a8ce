import { DICOM_UID_SYSTEM, IDENTIFIER_TYPE, SERIES_UID_EXTENSION } from './fhir-codes';
import type { Extension, Reference } from './fhir-r4.types';

/** `metadata.dicom` as DICOM uploads write it (CONTRACT.md v3); any key may be missing. */
interface DicomIds {
  study_instance_uid?: string;
  series_instance_uid?: string;
  sop_instance_uid?: string;
  accession_number?: string;
}

/** A DICOM UID as an OID FHIR accepts (valueOid's pattern); anything else is not one. */
const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

function dicomIds(metadata: Record<string, unknown>): DicomIds {
  const dicom = metadata.dicom;
  if (!dicom || typeof dicom !== 'object' || Array.isArray(dicom)) return {};
  const d = dicom as Record<string, unknown>;
  const str = (k: keyof DicomIds): string | undefined => {
    const v = d[k];
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const uid = (k: keyof DicomIds): string | undefined => {
    const v = str(k);
    return v && OID.test(v) ? v : undefined;
  };
  return {
    study_instance_uid: uid('study_instance_uid'),
    series_instance_uid: uid('series_instance_uid'),
    sop_instance_uid: uid('sop_instance_uid'),
    accession_number: str('accession_number'),
  };
}

const byUid = (type: string, uid: string, display: string): Reference => ({
  type,
  identifier: { system: DICOM_UID_SYSTEM, value: `urn:oid:${uid}` },
  display,
});

/**
 * What the Observation was derived from, by identifier (we hold no FHIR server ids): the
 * ImagingStudy by its Study Instance UID and by its accession number, and the image itself as a
 * Media by its SOP Instance UID, the way R4's ImagingStudy and Media examples identify them.
 */
export function dicomDerivedFrom(metadata: Record<string, unknown>): Reference[] {
  const ids = dicomIds(metadata);
  const refs: Reference[] = [];
  if (ids.study_instance_uid) refs.push(byUid('ImagingStudy', ids.study_instance_uid, 'DICOM study'));
  if (ids.accession_number)
    refs.push({
      type: 'ImagingStudy',
      identifier: {
        type: { coding: [{ system: IDENTIFIER_TYPE, code: 'ACSN', display: 'Accession ID' }] },
        value: ids.accession_number,
      },
      display: 'DICOM study by accession number',
    });
  if (ids.sop_instance_uid) refs.push(byUid('Media', ids.sop_instance_uid, 'DICOM image'));
  return refs;
}

/** R4 has no Observation element for a series, so its UID travels as an extension. */
export function dicomExtensions(metadata: Record<string, unknown>): Extension[] {
  const series = dicomIds(metadata).series_instance_uid;
  return series ? [{ url: SERIES_UID_EXTENSION, valueOid: `urn:oid:${series}` }] : [];
}
