import { Controller, Get, Param, Res, StreamableFile } from '@nestjs/common';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { Tenant } from '../auth/tenant.decorator';
import { ApiError } from '../errors/api-error';
import { PredictionReaderService } from '../predictions/prediction-reader.service';
import { ThumbnailMaker } from './thumbnail-maker.service';

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  tiff: 'image/tiff',
  gif: 'image/gif',
  bmp: 'image/bmp',
};

/**
 * A prediction's image and thumbnail, streamed from S3 through the API so the tenant check is
 * the API's own (another tenant's id answers 404 like an unknown one). Private caching only:
 * the bytes are a tenant's clinical images. A thumbnail is made on its first request.
 */
@Controller('v1/predictions')
export class PredictionMediaController {
  constructor(
    private readonly reader: PredictionReaderService,
    private readonly store: ObjectStore,
    private readonly thumbnails: ThumbnailMaker,
  ) {}

  @Get(':id/image')
  async image(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const prediction = await this.reader.find(tenant, id);
    if (!prediction) throw ApiError.notFound('prediction');
    const key = objectKeys.image(tenant, prediction.image.sha256);
    return this.stream(
      key,
      CONTENT_TYPES[prediction.image.format] ?? 'application/octet-stream',
      res,
      'image',
    );
  }

  @Get(':id/thumbnail')
  async thumbnail(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const prediction = await this.reader.find(tenant, id);
    if (!prediction) throw ApiError.notFound('prediction');
    const thumbnail = await this.thumbnails.thumbnail(tenant, prediction);
    if (!thumbnail) throw ApiError.notFound('thumbnail');
    return this.send(thumbnail, 'image/webp', res);
  }

  private async stream(key: string, type: string, res: Response, what: string): Promise<StreamableFile> {
    const body = await this.store.getStream(key);
    if (!body) throw ApiError.notFound(what);
    return this.send(body, type, res);
  }

  private send(body: Readable | Uint8Array, type: string, res: Response): StreamableFile {
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Two constructors (bytes, a stream), not one taking either: the branch picks one for TypeScript.
    return body instanceof Uint8Array
      ? new StreamableFile(body, { type })
      : new StreamableFile(body, { type });
  }
}
