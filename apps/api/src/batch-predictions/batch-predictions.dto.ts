import { ApiProperty } from '@nestjs/swagger';
import { PredictionDto } from '../docs/prediction.dto';

/* OpenAPI description of GET /v1/batches/{id}/predictions (the runtime shape: PredictionPage). */

export class PredictionPageDto {
  @ApiProperty({ type: [PredictionDto] }) predictions!: PredictionDto[];
  @ApiProperty({ type: String, nullable: true, description: 'null at the end' }) next_cursor!: string | null;
}
