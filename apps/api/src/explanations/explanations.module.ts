import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { explanationRepositoryProvider, QueueName } from '@dermafleet/jobs';
import { PredictionsModule } from '../predictions/predictions.module';
import { ExplanationsController } from './explanations.controller';

@Module({
  imports: [PredictionsModule, BullModule.registerQueue({ name: QueueName.Inference })],
  controllers: [ExplanationsController],
  providers: [explanationRepositoryProvider],
})
export class ExplanationsModule {}
