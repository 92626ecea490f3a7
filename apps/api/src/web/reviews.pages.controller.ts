import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { REVIEW_KINDS, may, readsEverything } from '@app/domain';
import { ListActionsQuery } from '../actions/action.queries';
import { RaiseActionRequest } from '../actions/actions.request.dto';
import { RaiseActionCommand } from '../actions/raise-action.handler';
import { CorrectRecommendationCommand, CorrectReviewCommand } from '../reviews/correct-review.handler';
import { RecordRecommendationCommand } from '../reviews/record-recommendation.handler';
import { RegisterReviewCommand } from '../reviews/register-review.handler';
import { GetReviewHistoryQuery, GetReviewQuery, ListReviewsQuery, ReviewView } from '../reviews/review.queries';
import { HistoryEntryView } from '../reads/history-entry';
import { describeEvent } from '../words/event-sentences';
import {
  CorrectRecommendationRequest,
  CorrectReviewRequest,
  RecordRecommendationRequest,
  RegisterReviewRequest,
} from '../reviews/reviews.request.dto';
import { WriteAnswer } from '../write/stream-writer';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';
import { LABELS } from '../words/words';
import { FormOutcome, errorList, fieldMessages, refusal, validateForm } from './web-form';

/** Themes are typed as a comma-separated list. */
const withThemes = (form: Record<string, string>) => ({
  ...form,
  ...(form.themes !== undefined && {
    themes: form.themes
      .split(',')
      .map((theme) => theme.trim())
      .filter(Boolean),
  }),
});

/** A form on the page sent back with what was wrong: which form, what was typed, and each field's message. */
type FormState = Readonly<{ name: string; values: Record<string, string>; errors: Record<string, string> }>;

const EMPTY_FORM: FormState = { name: '', values: {}, errors: {} };

/** What the review page says once each of its forms is done. */
const DONE: Record<string, string> = {
  recommendation: 'The recommendation is recorded',
  action: 'The action is raised',
  correction: 'The correction is recorded',
};

@WebPages()
@Controller('learning-reviews')
export class ReviewsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @PageFor('readReviews')
  async list(@Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    await this.renderList(reply, web, EMPTY_FORM, []);
  }

  @Post()
  @PageFor('registerReview')
  async register(@Body() form: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const checked = await validateForm(RegisterReviewRequest, withThemes(form));
    if (!checked.ok) {
      await this.renderList(
        reply,
        web,
        { name: 'review', values: form, errors: fieldMessages(checked.errors) },
        errorList(checked.errors, 'review-'),
        400,
      );
      return;
    }
    try {
      const answer: WriteAnswer = await this.commands.execute(
        new RegisterReviewCommand(checked.value, { actor: web.session.actor, correlationId: randomUUID() }),
      );
      reply.redirect(`/learning-reviews/${answer.id}?position=${answer.position}`, 303);
    } catch (error) {
      const refused = refusal(error);
      if (refused === undefined) throw error;
      await this.renderList(
        reply,
        web,
        { name: 'review', values: form, errors: refused.field ? { [refused.field]: refused.message } : {} },
        [{ text: refused.message, href: `#review-${refused.field ?? 'reference'}` }],
        refused.status,
      );
    }
  }

  @Get(':id')
  @PageFor('readReviews')
  async review(
    @Param('id') id: string,
    @Query('done') done: string | undefined,
    @Query('created') created: string | undefined,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    await this.renderReview(reply, web, id, EMPTY_FORM, [], 200, done, created);
  }

  @Post(':id/recommendations')
  @PageFor('recordRecommendation')
  async recommend(
    @Param('id') id: string,
    @Body() form: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    const checked = await validateForm(RecordRecommendationRequest, withThemes(form));
    await this.write(
      reply,
      web,
      id,
      'recommendation',
      form,
      checked,
      (value) => new RecordRecommendationCommand(id, value, { actor: web.session.actor, correlationId: randomUUID() }),
    );
  }

  @Post(':id/actions')
  @PageFor('raiseAction')
  async raise(
    @Param('id') id: string,
    @Body() form: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    const checked = await validateForm(RaiseActionRequest, form);
    await this.write(
      reply,
      web,
      id,
      'action',
      form,
      checked,
      (value) => new RaiseActionCommand(value, { actor: web.session.actor, correlationId: randomUUID() }),
    );
  }

  @Post(':id/correct')
  @PageFor('correctTexts')
  async correct(
    @Param('id') id: string,
    @Body() form: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    const checked = await validateForm(CorrectReviewRequest, withThemes(form));
    await this.write(
      reply,
      web,
      id,
      'review',
      form,
      checked,
      (value) => new CorrectReviewCommand(id, value, { actor: web.session.actor, correlationId: randomUUID() }),
      'correction',
    );
  }

  @Post(':id/recommendations/:recommendationId/correct')
  @PageFor('correctTexts')
  async correctRecommendation(
    @Param('id') id: string,
    @Param('recommendationId') recommendationId: string,
    @Body() form: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    const checked = await validateForm(CorrectRecommendationRequest, withThemes(form));
    const context = { actor: web.session.actor, correlationId: randomUUID() };
    await this.write(
      reply,
      web,
      id,
      `recommendation-${recommendationId}`,
      form,
      checked,
      (value) => new CorrectRecommendationCommand(id, recommendationId, value, context),
      'correction',
    );
  }

  /** `name` is the form's, and prefixes its fields' ids; `done` names what the page says once it is done. */
  private async write<T>(
    reply: HtmlReply,
    web: WebPageContext,
    reviewId: string,
    name: string,
    form: Record<string, string>,
    checked: FormOutcome<T>,
    command: (value: T) => object,
    done = name,
  ): Promise<void> {
    if (!checked.ok) {
      await this.renderReview(
        reply,
        web,
        reviewId,
        { name, values: form, errors: fieldMessages(checked.errors) },
        errorList(checked.errors, `${name}-`),
        400,
      );
      return;
    }
    try {
      const answer: WriteAnswer = await this.commands.execute(command(checked.value) as never);
      // What was made, to link to: the action just raised is the one to assign next.
      const created = done === 'action' ? `&created=${encodeURIComponent(answer.id)}` : '';
      reply.redirect(`/learning-reviews/${reviewId}?position=${answer.position}&done=${done}${created}`, 303);
    } catch (error) {
      const refused = refusal(error);
      if (refused === undefined) throw error;
      await this.renderReview(
        reply,
        web,
        reviewId,
        { name, values: form, errors: refused.field ? { [refused.field]: refused.message } : {} },
        [{ text: refused.message, href: `#${name}` }],
        refused.status,
      );
    }
  }

  private async renderList(reply: HtmlReply, web: WebPageContext, form: FormState, errors: object[], status = 200): Promise<void> {
    const reviews: ReviewView[] = await this.queries.execute(new ListReviewsQuery(web.session.actor));
    const kinds = REVIEW_KINDS.map((kind) => ({ value: kind, text: LABELS.kind[kind] }));
    const mayRegister = may(web.session.actor, 'registerReview');
    await renderPage(
      reply,
      'reviews.njk',
      { title: 'Reviews', section: 'reviews', web, reviews, kinds, form, errors, mayRegister },
      status,
    );
  }

  private async renderReview(
    reply: HtmlReply,
    web: WebPageContext,
    id: string,
    form: FormState,
    errors: object[],
    status = 200,
    done?: string,
    created?: string,
  ): Promise<void> {
    const review: ReviewView = await this.queries.execute(new GetReviewQuery(id, web.session.actor));
    const actions = await this.queries.execute(new ListActionsQuery({ review: id, limit: 500 }, web.session.actor));
    const mayChange = may(web.session.actor, 'recordRecommendation');
    const mayCorrect = may(web.session.actor, 'correctTexts');
    const history: HistoryEntryView[] = may(web.session.actor, 'readReviewHistory')
      ? await this.queries.execute(new GetReviewHistoryQuery(id))
      : [];
    await renderPage(
      reply,
      'review.njk',
      {
        title: review.title,
        section: 'reviews',
        backLink: { text: 'All reviews', href: '/learning-reviews' },
        web,
        review,
        actions: actions.items,
        form,
        errors,
        mayChange,
        mayCorrect,
        ownAgencyOnly: !readsEverything(web.session.actor),
        timeline: history.map((entry) => describeEvent(entry, web.partnerNames)),
        done: DONE[done ?? ''],
        createdAction: done === 'action' ? actions.items.find((action: { id: string }) => action.id === created) : undefined,
      },
      status,
    );
  }
}
