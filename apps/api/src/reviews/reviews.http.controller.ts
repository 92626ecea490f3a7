import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { PARTNERSHIP } from '../auth/roles.decorator';
import { WriteRoute } from '../http/routes';
import { WriteAnswer } from '../write/stream-writer';
import { Write, WriteContext } from '../write/write-context';
import { RecordRecommendationCommand } from './record-recommendation.handler';
import { RegisterReviewCommand } from './register-review.handler';
import { RecordRecommendationRequest, RegisterReviewRequest } from './reviews.request.dto';

@ApiTags('reviews')
@Controller('reviews')
export class ReviewsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @WriteRoute({ summary: 'Register a review (CSPR, rapid review, audit, ...)', roles: PARTNERSHIP, creates: true, notFound: false })
  register(@Body() body: RegisterReviewRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new RegisterReviewCommand(body, context));
  }

  @Post(':id/recommendations')
  @WriteRoute({ summary: 'Record a recommendation the review made', roles: PARTNERSHIP, creates: true })
  recordRecommendation(
    @Param('id') reviewId: string,
    @Body() body: RecordRecommendationRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.commands.execute(new RecordRecommendationCommand(reviewId, body, context));
  }
}
