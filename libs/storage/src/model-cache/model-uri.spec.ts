import { parseS3ModelUri } from './model-uri';

describe('parseS3ModelUri', () => {
  it('normalises the prefix to end with a slash', () => {
    expect(parseS3ModelUri('s3://models/vit/v1')).toEqual({
      bucket: 'models',
      prefix: 'vit/v1/',
      uri: 's3://models/vit/v1/',
    });
    expect(parseS3ModelUri('s3://models')).toEqual({ bucket: 'models', prefix: '', uri: 's3://models/' });
  });
  it('refuses what is not a bucket and a plain prefix', () => {
    expect(parseS3ModelUri('/models/vit')).toBeNull();
    expect(parseS3ModelUri('s3://Models/vit/')).toBeNull();
    expect(parseS3ModelUri('s3://models/../secrets/')).toBeNull();
  });
});
