import { Slug, Text } from '../http/fields';

export class RegisterPartnerRequest {
  @Slug({ description: 'Stable id of the partner agency', example: 'thames-valley-police' })
  id!: string;

  @Text(200, { example: 'Thames Valley Police' })
  name!: string;
}
