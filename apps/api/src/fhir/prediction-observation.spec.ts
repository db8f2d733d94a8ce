import type { Prediction } from '@dermafleet/jobs';
import { observationValidator, officialR4Validator } from '../../../../test/fhir-support/observation-schema';
import { CLASS_CODE_SYSTEM, DECISION_SUPPORT_NOTE, PREDICTION_ID_SYSTEM, SNOMED_CT } from './fhir-codes';
import { isSucceeded, predictionObservation, type SucceededPrediction } from './prediction-observation';

const labels = ['actinic keratosis', 'basal cell carcinoma', 'melanoma', 'nevus', 'random'];
const probs = [0.0012017, 0.25, 0.6187983, 0.1, 0.03];

function prediction(metadata: Record<string, unknown> = {}): SucceededPrediction {
  return {
    id: 'prd_AbC-dEf_0123456789xyz',
    status: 'succeeded',
    created_at: '2026-11-26T17:00:00.123Z',
    completed_at: '2026-11-26T17:00:02.456Z',
    batch_id: 'bat_x',
    filename: 'a/b.jpg',
    metadata,
    image: { sha256: 'ab'.repeat(32), bytes: 10, width: 4, height: 4, format: 'jpeg' },
    result: {
      label: 'melanoma',
      confidence: probs[2],
      probabilities: labels.map((label, i) => ({ label, probability: probs[i] })),
      model: { id: 'vit-demo', version: `sha256:${'cd'.repeat(32)}` },
      preprocessing: { mode: 'exact', auto_orient: false },
      cached: false,
    },
    error: null,
    attempts: 1,
  };
}

const dicom = {
  dicom: {
    study_instance_uid: '1.2.840.113619.2.55.3.604688119',
    series_instance_uid: '1.2.840.113619.2.55.3.604688119.1',
    sop_instance_uid: '1.2.840.113619.2.55.3.604688119.1.7',
    accession_number: 'ACC-0042',
    modality: 'XC',
  },
};

const codings = (c: { coding?: { system: string; code: string }[] }) => c.coding ?? [];

describe('prediction as a FHIR R4 Observation', () => {
  const validate = observationValidator();
  const official = officialR4Validator();

  it('is preliminary, identified by the prediction id, timed by the prediction, with the note', () => {
    const o = predictionObservation(prediction());
    expect(o.resourceType).toBe('Observation');
    expect(o.status).toBe('preliminary');
    expect(o.id).toBe('prd.AbC-dEf.0123456789xyz');
    expect(o.identifier).toEqual([{ system: PREDICTION_ID_SYSTEM, value: 'prd_AbC-dEf_0123456789xyz' }]);
    expect(o.effectiveDateTime).toBe('2026-11-26T17:00:00.123Z');
    expect(o.issued).toBe('2026-11-26T17:00:02.456Z');
    expect(o.note).toEqual([{ text: DECISION_SUPPORT_NOTE }]);
  });

  it('has one component per class, in model order, with the probability unchanged', () => {
    const o = predictionObservation(prediction());
    expect(o.component.map((c) => c.code.text)).toEqual(labels);
    expect(o.component.map((c) => c.valueQuantity.value)).toEqual(probs);
    for (const c of o.component) expect(c.valueQuantity).toMatchObject({ unit: '1', code: '1' });
    expect(o.component.map((c) => codings(c.code)[0])).toEqual(
      labels.map((label) => ({ system: CLASS_CODE_SYSTEM, code: label, display: label })),
    );
  });

  it('values the top class with the local coding, plus SNOMED CT only where mapped', () => {
    const o = predictionObservation(prediction());
    expect(codings(o.valueCodeableConcept)).toEqual([
      { system: CLASS_CODE_SYSTEM, code: 'melanoma', display: 'melanoma' },
      { system: SNOMED_CT, code: '372244006', display: 'Malignant melanoma' },
    ]);
    const snomed = (label: string) =>
      codings(o.component.find((c) => c.code.text === label)!.code).filter((c) => c.system === SNOMED_CT);
    expect(snomed('basal cell carcinoma').map((c) => c.code)).toEqual(['254701007']);
    for (const label of ['actinic keratosis', 'nevus', 'random']) expect(snomed(label)).toEqual([]);
  });

  it('names the model, its version and the preprocessing through a contained Device and the method', () => {
    const o = predictionObservation(prediction());
    expect(o.device.reference).toBe('#model');
    expect(o.contained).toEqual([
      expect.objectContaining({
        resourceType: 'Device',
        id: 'model',
        deviceName: [{ name: 'vit-demo', type: 'model-name' }],
        version: [{ value: `sha256:${'cd'.repeat(32)}` }],
      }),
    ]);
    expect(o.method.text).toContain('preprocessing exact');
  });

  it('adds no DICOM references without metadata.dicom', () => {
    const o = predictionObservation(prediction({ dicom: 'not an object' }));
    expect(o.derivedFrom).toBeUndefined();
    expect(o.extension).toBeUndefined();
  });

  it('refers to the DICOM study, accession and image when metadata.dicom is present', () => {
    const o = predictionObservation(prediction(dicom));
    expect(o.derivedFrom).toEqual([
      expect.objectContaining({
        type: 'ImagingStudy',
        identifier: { system: 'urn:dicom:uid', value: `urn:oid:${dicom.dicom.study_instance_uid}` },
      }),
      expect.objectContaining({
        type: 'ImagingStudy',
        identifier: expect.objectContaining({ value: 'ACC-0042' }),
      }),
      expect.objectContaining({
        type: 'Media',
        identifier: { system: 'urn:dicom:uid', value: `urn:oid:${dicom.dicom.sop_instance_uid}` },
      }),
    ]);
    expect(o.extension).toEqual([
      expect.objectContaining({ valueOid: `urn:oid:${dicom.dicom.series_instance_uid}` }),
    ]);
  });

  it('skips a DICOM UID that is not an OID rather than write an invalid one', () => {
    const o = predictionObservation(prediction({ dicom: { study_instance_uid: '1.02.x' } }));
    expect(o.derivedFrom).toBeUndefined();
  });

  it('tidies a label into a valid code and keeps the label as display', () => {
    const p = prediction();
    p.result.probabilities[0].label = '  odd   label ';
    const c = predictionObservation(p).component[0].code;
    expect(codings(c)[0]).toMatchObject({ code: 'odd label' });
    expect(c.text).toBe('  odd   label ');
    expect(validate(predictionObservation(p))).toEqual([]);
  });

  it('leaves out an id FHIR cannot hold; the identifier still carries it', () => {
    const p = prediction();
    p.id = `prd_${'a'.repeat(64)}`;
    const o = predictionObservation(p);
    expect(o.id).toBeUndefined();
    expect(o.identifier[0].value).toBe(p.id);
  });

  it('is valid against the hand-written R4 Observation schema, with and without DICOM', () => {
    expect(validate(predictionObservation(prediction()))).toEqual([]);
    expect(validate(predictionObservation(prediction(dicom)))).toEqual([]);
    expect(validate({ ...predictionObservation(prediction()), status: 'done' })).not.toEqual([]);
  });

  it('is valid against the official FHIR R4 JSON schema', () => {
    expect(official(predictionObservation(prediction()))).toEqual([]);
    expect(official(predictionObservation(prediction(dicom)))).toEqual([]);
    expect(official({ ...predictionObservation(prediction()), value: 1 })).not.toEqual([]);
    const o = predictionObservation(prediction());
    // The contained Device is checked too (through R4's ResourceList).
    expect(
      official({ ...o, contained: [{ ...o.contained[0], deviceName: [{ name: 'x', type: 'no' }] }] }),
    ).not.toEqual([]);
  });

  it('takes only succeeded predictions', () => {
    const p: Prediction = { ...prediction(), status: 'failed', result: null };
    expect(isSucceeded(p)).toBe(false);
    expect(isSucceeded(prediction())).toBe(true);
  });
});
