/**
 * The URLs and codes of our FHIR output (README "FHIR R4 output"). The base is a fixed name, not
 * the address the API listens on: a system URL identifies a code system or identifier space and
 * must not change when a deployment moves.
 */
export const FHIR_BASE = 'https://dermafleet.example/fhir';

/** Observation.code: what was observed. */
export const OBSERVATION_CODE_SYSTEM = `${FHIR_BASE}/CodeSystem/observation-code`;
export const SKIN_LESION_CLASSIFICATION = {
  system: OBSERVATION_CODE_SYSTEM,
  code: 'skin-lesion-classification',
  display: 'Skin lesion image classification',
} as const;

/** One code per class, the model's own label (id2label), so every class has a coding. */
export const CLASS_CODE_SYSTEM = `${FHIR_BASE}/CodeSystem/skin-lesion-class`;

/** Observation.identifier: the prediction id. */
export const PREDICTION_ID_SYSTEM = `${FHIR_BASE}/NamingSystem/prediction-id`;

/** Extensions for the DICOM UIDs R4 has no element for on an Observation. */
export const SERIES_UID_EXTENSION = `${FHIR_BASE}/StructureDefinition/dicom-series-instance-uid`;

export const SNOMED_CT = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';
export const DICOM_UID_SYSTEM = 'urn:dicom:uid';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const IDENTIFIER_TYPE = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/**
 * SNOMED CT only where the class and the concept mean the same disorder without doubt. The others
 * (e.g. "nevus", "random", "clear skin", "melanoma metastasis") are broader, narrower or not a
 * disorder at all; they carry the local coding alone until a terminologist maps them.
 */
export const SNOMED_BY_LABEL: Readonly<Record<string, { code: string; display: string }>> = {
  melanoma: { code: '372244006', display: 'Malignant melanoma' },
  'basal cell carcinoma': { code: '254701007', display: 'Basal cell carcinoma of skin' },
};

export const DECISION_SUPPORT_NOTE = 'Research and decision support only, not a diagnosis.';
