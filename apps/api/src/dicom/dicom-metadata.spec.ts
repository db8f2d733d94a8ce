import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIXTURE_IDS,
  FIXTURE_PATIENT_ID,
  wrapJpeg,
} from '@dermafleet/inference/preprocess/dicom-fixture.testing';
import { sharedFixturesDir } from '@dermafleet/inference/preprocess/preprocess.fixtures';
import { loadApiConfig } from '../config/api.config';
import { dicomMetadata } from './dicom-metadata';

const jpeg = new Uint8Array(readFileSync(join(sharedFixturesDir(), 'images', 'grey_300x400.jpg')));
const dicom = wrapJpeg(jpeg, 400, 300, 1);
const KEY = 'a-test-key-of-32-characters-long';

describe('metadata.dicom of a DICOM upload', () => {
  it('omit (the default): the identifiers, no patient ID', () => {
    expect(dicomMetadata(dicom, loadApiConfig({}).dicomPatientId)).toEqual({ ...FIXTURE_IDS });
  });

  it('hash: HMAC-SHA256 of the patient ID with the configured key', () => {
    const config = loadApiConfig({ DICOM_PATIENT_ID: 'hash', DICOM_PATIENT_ID_KEY: KEY });
    const hmac = createHmac('sha256', KEY).update(FIXTURE_PATIENT_ID).digest('hex');
    expect(dicomMetadata(dicom, config.dicomPatientId)).toEqual({ ...FIXTURE_IDS, patient_id: hmac });
  });

  it('keep: the patient ID as it is', () => {
    const config = loadApiConfig({ DICOM_PATIENT_ID: 'keep' });
    expect(dicomMetadata(dicom, config.dicomPatientId)).toEqual({
      ...FIXTURE_IDS,
      patient_id: FIXTURE_PATIENT_ID,
    });
  });

  it('never stores the patient name or birth date', () => {
    const text = JSON.stringify(dicomMetadata(dicom, { mode: 'keep' }));
    expect(text).not.toContain('Doe');
    expect(text).not.toContain('19700101');
  });
});

describe('DICOM_PATIENT_ID configuration', () => {
  it('refuses hash without a key, in one sentence naming both variables', () => {
    expect(() => loadApiConfig({ DICOM_PATIENT_ID: 'hash' })).toThrow(
      'Configuration error: DICOM_PATIENT_ID=hash needs DICOM_PATIENT_ID_KEY, a secret of 16+ characters that keys the HMAC of patient IDs.',
    );
  });

  it('refuses an unknown mode and a short key by name', () => {
    expect(() => loadApiConfig({ DICOM_PATIENT_ID: 'encrypt' })).toThrow(
      /DICOM_PATIENT_ID must be omit, hash or keep/,
    );
    expect(() => loadApiConfig({ DICOM_PATIENT_ID: 'hash', DICOM_PATIENT_ID_KEY: 'short' })).toThrow(
      /DICOM_PATIENT_ID_KEY must be a secret of 16\+ characters/,
    );
  });
});
