import { Body, Controller, Get, HttpCode, Param, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Prediction, toPublicPrediction } from '@dermafleet/jobs';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { CreatePredictionFormDto, ErrorBodyDto, PredictionDto } from '../docs/prediction.dto';
import { ApiError } from '../errors/api-error';
import { parseFields, predictionFieldsSchema } from './prediction-fields.schema';
import { PredictionIntakeService } from './prediction-intake.service';
import { PredictionReaderService } from './prediction-reader.service';

@ApiTags('predictions')
@ApiBearerAuth()
@Controller('v1/predictions')
export class PredictionsController {
  constructor(
    private readonly intake: PredictionIntakeService,
    private readonly reader: PredictionReaderService,
  ) {}

  @Post()
  @HttpCode(202)
  @UseInterceptors(FileInterceptor('image'))
  @ApiOperation({ summary: 'Classify one image' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: CreatePredictionFormDto })
  @ApiResponse({ status: 202, type: PredictionDto, description: 'Accepted; poll the Location.' })
  @ApiResponse({ status: 415, type: ErrorBodyDto, description: 'Not a supported image format.' })
  @ApiResponse({ status: 413, type: ErrorBodyDto, description: 'Too many bytes or pixels.' })
  async create(
    @Tenant() tenant: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Prediction> {
    if (!file) throw ApiError.invalid('Send the image as a multipart/form-data file field named "image".');
    const fields = parseFields(predictionFieldsSchema, body);
    const record = await this.intake.accept({
      tenant,
      bytes: file.buffer,
      filename: file.originalname || null,
      metadata: fields.metadata ?? {},
      webhookUrl: fields.webhook_url ?? null,
      priority: fields.priority,
      batchId: null,
    });
    res.setHeader('Location', `/v1/predictions/${record.id}`);
    return toPublicPrediction(record);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Poll one prediction' })
  @ApiOkResponse({ type: PredictionDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async get(@Tenant() tenant: string, @Param('id') id: string): Promise<Prediction> {
    const prediction = await this.reader.find(tenant, id);
    if (!prediction) throw ApiError.notFound('prediction');
    return prediction;
  }
}
