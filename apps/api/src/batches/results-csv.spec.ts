import type { Prediction } from '@dermafleet/jobs';
import { csvCell, csvHeader, csvRow } from './results-csv';

const base: Prediction = {
  id: 'prd_AAAAAAAAAAAAAAAAAAAAAA',
  status: 'succeeded',
  created_at: '2024-01-01T00:00:00.000Z',
  completed_at: '2024-01-01T00:00:01.000Z',
  batch_id: 'bat_BBBBBBBBBBBBBBBBBBBBBB',
  filename: '2019/derm/IMG_0001.jpg',
  metadata: {},
  image: { sha256: 'ab'.repeat(32), bytes: 10, width: 4, height: 4, format: 'jpeg' },
  result: {
    label: 'nevus',
    confidence: 0.7000000000000001,
    probabilities: [
      { label: 'melanoma', probability: 0.29999999999999993 },
      { label: 'nevus', probability: 0.7000000000000001 },
    ],
    model: { id: 'm', version: 'sha256:00' },
    preprocessing: { mode: 'exact', auto_orient: false },
    cached: true,
  },
  error: null,
  attempts: 1,
};

describe('results CSV', () => {
  it('quotes as RFC 4180 says and guards formula-looking cells', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('')).toBe('');
    expect(csvCell('\t=1+1')).toBe("'\t=1+1");
    expect(csvCell('\r=1+1')).toBe('"\'\r=1+1"');
    expect(csvCell('lone\rcr')).toBe('"lone\rcr"');
  });

  it('writes the header with one column per class label, in model order', () => {
    expect(csvHeader(['melanoma', 'nevus'])).toBe(
      'prediction_id,filename,status,label,confidence,melanoma,nevus,error_code,error_message,sha256,cached,study_instance_uid,series_instance_uid,sop_instance_uid,accession_number\r\n',
    );
  });

  it('writes numbers exactly as JSON does', () => {
    const row = csvRow(base, ['melanoma', 'nevus']);
    expect(row).toBe(
      `prd_AAAAAAAAAAAAAAAAAAAAAA,2019/derm/IMG_0001.jpg,succeeded,nevus,0.7000000000000001,0.29999999999999993,0.7000000000000001,,,${'ab'.repeat(32)},true,,,,\r\n`,
    );
  });

  it('leaves result cells empty for a failure and fills the error', () => {
    const failed: Prediction = {
      ...base,
      status: 'failed',
      result: null,
      error: { code: 'invalid_image', message: 'JPEG is truncated, sorry' },
    };
    expect(csvRow(failed, ['melanoma', 'nevus'])).toBe(
      `prd_AAAAAAAAAAAAAAAAAAAAAA,2019/derm/IMG_0001.jpg,failed,,,,,invalid_image,"JPEG is truncated, sorry",${'ab'.repeat(32)},,,,,\r\n`,
    );
  });

  it("ends a DICOM image's line with its study, series and instance UIDs and accession number", () => {
    const dicom: Prediction = {
      ...base,
      metadata: {
        dicom: {
          study_instance_uid: '1.2.3',
          series_instance_uid: '1.2.3.4',
          sop_instance_uid: '1.2.3.4.5',
          accession_number: 'ACC-7',
          modality: 'XC',
        },
      },
    };
    expect(csvRow(dicom, ['melanoma', 'nevus']).endsWith(',true,1.2.3,1.2.3.4,1.2.3.4.5,ACC-7\r\n')).toBe(
      true,
    );
  });
});
