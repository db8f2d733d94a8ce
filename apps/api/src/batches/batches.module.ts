import { Module } from '@nestjs/common';
import { PredictionsModule } from '../predictions/predictions.module';
import { BatchControlController } from './batch-control.controller';
import { BatchControlService } from './batch-control.service';
import { BatchMultipartService } from './batch-multipart.service';
import { BatchReaderService } from './batch-reader.service';
import { BatchResultsController } from './batch-results.controller';
import { BatchSealService } from './batch-seal.service';
import { PendingUploadsSweeper } from './pending-uploads.sweeper';
import { BatchUploadsController } from './batch-uploads.controller';
import { BatchesController } from './batches.controller';
import { DirectUploadService } from './direct-upload.service';
import { ResultsExportService } from './results-export.service';
import { StoredImageVerifier } from './stored-image.verifier';
import { UploadCompletionService } from './upload-completion.service';

/** Batches: create, add images (multipart or presigned direct upload), seal, progress, export, cancel, retry. */
@Module({
  imports: [PredictionsModule],
  controllers: [BatchesController, BatchUploadsController, BatchResultsController, BatchControlController],
  providers: [
    BatchMultipartService,
    BatchReaderService,
    DirectUploadService,
    UploadCompletionService,
    StoredImageVerifier,
    BatchSealService,
    BatchControlService,
    PendingUploadsSweeper,
    ResultsExportService,
  ],
})
export class BatchesModule {}
