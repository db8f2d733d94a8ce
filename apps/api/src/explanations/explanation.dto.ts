import { ApiProperty } from '@nestjs/swagger';
import { ErrorInfoDto, ModelRefDto } from '../docs/prediction.dto';

/* OpenAPI description of the explanation object (runtime shape: explanationSchema / Explanation). */

export class ExplanationDto {
  @ApiProperty() prediction_id!: string;
  @ApiProperty({ enum: ['queued', 'processing', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty({ enum: ['occlusion'] }) method!: string;
  @ApiProperty({ type: [Number], example: [12, 12], description: '[rows, columns]' }) grid!: number[];
  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'number' } },
    nullable: true,
    description:
      "map[row][col]: the explained class's probability without occlusion minus with that patch " +
      'occluded (positive: the model relied on the patch). null until succeeded. See docs/EXPLANATIONS.md.',
  })
  map!: number[][] | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The explained class: the prediction's top label.",
  })
  label!: string | null;
  @ApiProperty({ type: Number, nullable: true }) baseline_probability!: number | null;
  @ApiProperty({
    type: ModelRefDto,
    nullable: true,
    description: "The model that computed the map (the worker's current one; compare with the prediction's).",
  })
  model!: ModelRefDto | null;
  @ApiProperty({ enum: ['mean'], description: 'Patch fill: 0 in normalised space, the mean colour.' })
  fill!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Colour overlay PNG, same key as the API.' })
  overlay_url!: string | null;
  @ApiProperty() created_at!: string;
  @ApiProperty({ type: String, nullable: true }) completed_at!: string | null;
  @ApiProperty({ type: ErrorInfoDto, nullable: true }) error!: ErrorInfoDto | null;
}
