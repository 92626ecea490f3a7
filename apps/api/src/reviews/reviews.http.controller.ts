import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Actor } from '@app/domain';
import { CurrentActor } from '../auth/current-actor.decorator';
import { AsOfFileRequest, AsOfRequest } from '../http/read-request';
import { FileReply, fileFormatAsked, sendFile } from '../files/table-file';
import { Readable } from 'node:stream';
import { ReadRoute, WriteRoute } from '../http/routes';
import { WriteAnswer } from '../write/stream-writer';
import { Write, WriteContext } from '../write/write-context';
import { CorrectRecommendationCommand, CorrectReviewCommand } from './correct-review.handler';
import { RecordRecommendationCommand } from './record-recommendation.handler';
import { RegisterReviewCommand } from './register-review.handler';
import { GetReviewHistoryQuery, GetReviewQuery, ListReviewsQuery, ReviewView } from './review.queries';
import { HistoryEntryView } from '../reads/history-entry';
import {
  CorrectRecommendationRequest,
  CorrectReviewRequest,
  RecordRecommendationRequest,
  RegisterReviewRequest,
} from './reviews.request.dto';
import { ReviewsFile } from './reviews.file';

@ApiTags('reviews')
@Controller('reviews')
export class ReviewsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly file: ReviewsFile,
  ) {}

  @Get()
  @ReadRoute({
    files: true,
    summary: 'Every review, with its recommendations and their actions counted by status',
    permission: 'readReviews',
    type: [ReviewView],
    notFound: false,
  })
  async list(
    @Query() read: AsOfFileRequest,
    @CurrentActor() actor: Actor,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FileReply,
  ): Promise<ReviewView[] | Readable> {
    const format = fileFormatAsked(read.format, accept);
    if (format) return sendFile(reply, await this.file.file(format, actor, read));
    return this.queries.execute(new ListReviewsQuery(actor, read));
  }

  @Get(':id')
  @ReadRoute({
    summary: 'One review, with its recommendations and their actions counted by status',
    permission: 'readReviews',
    type: ReviewView,
  })
  get(@Param('id') id: string, @Query() read: AsOfRequest, @CurrentActor() actor: Actor): Promise<ReviewView> {
    return this.queries.execute(new GetReviewQuery(id, actor, read));
  }

  @Get(':id/history')
  @ReadRoute({
    summary: 'Every event of the review and of its recommendations, in order, with who and when: corrections with the old and the new text',
    permission: 'readReviewHistory',
    type: [HistoryEntryView],
  })
  history(@Param('id') id: string): Promise<HistoryEntryView[]> {
    return this.queries.execute(new GetReviewHistoryQuery(id));
  }

  @Post()
  @WriteRoute({
    summary: 'Register a review (CSPR, rapid review, audit, ...)',
    permission: 'registerReview',
    creates: true,
    notFound: false,
  })
  register(@Body() body: RegisterReviewRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new RegisterReviewCommand(body, context));
  }

  @Post(':id/recommendations')
  @WriteRoute({ summary: 'Record a recommendation the review made', permission: 'recordRecommendation', creates: true })
  recordRecommendation(
    @Param('id') reviewId: string,
    @Body() body: RecordRecommendationRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.commands.execute(new RecordRecommendationCommand(reviewId, body, context));
  }

  @Post(':id/correct')
  @WriteRoute({ summary: 'Correct the review’s details, saying why; the history keeps the old ones', permission: 'correctTexts' })
  correct(@Param('id') reviewId: string, @Body() body: CorrectReviewRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new CorrectReviewCommand(reviewId, body, context));
  }

  @Post(':id/recommendations/:recommendationId/correct')
  @WriteRoute({ summary: 'Correct a recommendation’s text or themes, saying why', permission: 'correctTexts' })
  correctRecommendation(
    @Param('id') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Body() body: CorrectRecommendationRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.commands.execute(new CorrectRecommendationCommand(reviewId, recommendationId, body, context));
  }
}
