import { Module } from '@nestjs/common';
import { PredictionsModule } from '../predictions/predictions.module';
import { PredictionMediaController } from './prediction-media.controller';
import { ThumbnailMaker } from './thumbnail-maker.service';

/** The viewer's data routes beyond the JSON API: images and thumbnails (static files: viewer.static.ts). */
@Module({
  imports: [PredictionsModule],
  controllers: [PredictionMediaController],
  providers: [ThumbnailMaker],
})
export class ViewerModule {}
