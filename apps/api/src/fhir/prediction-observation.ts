import type { Prediction, PredictionResult } from '@dermafleet/jobs';
import {
  CLASS_CODE_SYSTEM,
  DECISION_SUPPORT_NOTE,
  OBSERVATION_CATEGORY,
  PREDICTION_ID_SYSTEM,
  SKIN_LESION_CLASSIFICATION,
  SNOMED_BY_LABEL,
  SNOMED_CT,
  UCUM,
} from './fhir-codes';
import { dicomDerivedFrom, dicomExtensions } from './dicom-references';
import type { CodeableConcept, Coding, Observation } from './fhir-r4.types';

/** A succeeded prediction: the only kind that has a result to report. */
export type SucceededPrediction = Prediction & { status: 'succeeded'; result: PredictionResult };

export function isSucceeded(p: Prediction): p is SucceededPrediction {
  return p.status === 'succeeded' && p.result !== null;
}

/**
 * One prediction as a FHIR R4 Observation (README "FHIR R4 output"): status preliminary (a model's
 * output, never verified by a clinician), the top class as the value, every class probability as
 * a component in the model's order, the model and preprocessing as a contained Device and the
 * method, and the DICOM study/image it came from when the upload was DICOM. Pure: no I/O, no clock.
 */
export function predictionObservation(p: SucceededPrediction): Observation {
  const r = p.result;
  const id = fhirId(p.id);
  const extension = dicomExtensions(p.metadata);
  const derivedFrom = dicomDerivedFrom(p.metadata);
  return {
    resourceType: 'Observation',
    ...(id ? { id } : {}),
    contained: [
      {
        resourceType: 'Device',
        id: 'model',
        deviceName: [{ name: r.model.id, type: 'model-name' }],
        version: [{ value: r.model.version }],
        type: { text: 'Skin-lesion image classifier (software)' },
      },
    ],
    ...(extension.length ? { extension } : {}),
    identifier: [{ system: PREDICTION_ID_SYSTEM, value: p.id }],
    status: 'preliminary',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'imaging', display: 'Imaging' }] }],
    code: { coding: [{ ...SKIN_LESION_CLASSIFICATION }], text: SKIN_LESION_CLASSIFICATION.display },
    effectiveDateTime: p.created_at,
    ...(p.completed_at ? { issued: p.completed_at } : {}),
    valueCodeableConcept: classConcept(r.label),
    note: [{ text: DECISION_SUPPORT_NOTE }],
    method: {
      text: `Vision Transformer classification; preprocessing ${r.preprocessing.mode}, auto_orient ${r.preprocessing.auto_orient}`,
    },
    device: { reference: '#model', display: `${r.model.id} (${r.model.version})` },
    ...(derivedFrom.length ? { derivedFrom } : {}),
    component: r.probabilities.map(({ label, probability }) => ({
      code: classConcept(label),
      // A probability is a dimensionless ratio: UCUM's unity "1".
      valueQuantity: { value: probability, unit: '1', system: UCUM, code: '1' },
    })),
  };
}

/** A class: always the local coding with the model's label, plus SNOMED CT where certain. */
function classConcept(label: string): CodeableConcept {
  const local: Coding = { system: CLASS_CODE_SYSTEM, code: fhirCode(label), display: label };
  const snomed = SNOMED_BY_LABEL[label.trim().toLowerCase()];
  const coding = snomed ? [local, { system: SNOMED_CT, ...snomed }] : [local];
  return { coding, text: label };
}

/**
 * A FHIR `code` has no leading, trailing or doubled whitespace; labels come from the model's
 * config.json, so they are tidied rather than trusted (the display keeps the label as it is).
 */
function fhirCode(label: string): string {
  return label.trim().replace(/\s+/g, ' ') || 'unlabelled';
}

/**
 * FHIR ids allow [A-Za-z0-9-.] up to 64 characters; ours use "_". "_" becomes "." (which no id of
 * ours contains, so distinct predictions keep distinct ids); an id that still does not fit is
 * left out, the identifier carries the prediction id either way.
 */
function fhirId(predictionId: string): string | undefined {
  const id = predictionId.replace(/_/g, '.');
  return /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? id : undefined;
}
