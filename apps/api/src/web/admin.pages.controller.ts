import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { NotFound, Partner, PartnerRegistryCommand } from '@app/domain';
import { ChangePartnersCommand } from '../partners/change-partners.handler';
import { PartnerDirectory } from '../partners/partner-directory';
import { RegisterPartnerRequest, RenamePartnerRequest, SetPartnerMailboxRequest } from '../partners/partners.request.dto';
import { ListNotificationsQuery, NotificationView } from '../notifications/notifications.http.controller';
import { Notifications } from '../notifications/notifications';
import { NOTIFICATION_STATUSES, NotificationStatus } from '../notifications/outbox';
import { ListQuarantineQuery } from '../quarantine/quarantine.http.controller';
import { errorList, fieldMessages, refusal, validateForm } from './web-form';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';

/** The short name a partner is known by in addresses, made from its name when none is typed: "Thames Valley Police" is thames-valley-police. */
const shortNameOf = (name: string): string =>
  name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);

/**
 * How the agency form says a refusal, beside its field: a short name made from the name is taken
 * because the name is, so that is said of the name, the field the user typed.
 */
function registrationRefusal(error: unknown, shortNameTyped: boolean, id: string) {
  const refused = refusal(error);
  if (refused === undefined) throw error;
  const madeFromName = refused.field === 'id' && !shortNameTyped;
  const field = madeFromName ? 'name' : (refused.field ?? 'name');
  const message = madeFromName ? `A partner agency is already registered as '${id}': give this one another name.` : refused.message;
  return { status: refused.status, message, href: `#partner-${field}`, errors: refused.field ? { [field]: message } : {} };
}

type FormState = Readonly<{ values: Record<string, string>; errors: Record<string, string> }>;
const EMPTY_FORM: FormState = { values: {}, errors: {} };
const OUTBOX_PAGE = 200;
const QUARANTINE_PAGE = 500;

/** The administrator's pages: the partner agencies with their names and mailboxes, the mail outbox, and what readers set aside. */
@WebPages()
@Controller('admin')
export class AdminPagesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly partners: PartnerDirectory,
    private readonly notifications: Notifications,
  ) {}

  @Get('partners')
  @PageFor('registerPartner')
  async partnerList(@Query('done') done: string | undefined, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    await this.renderPartners(reply, web, EMPTY_FORM, [], 200, done);
  }

  @Post('partners')
  @PageFor('registerPartner')
  async register(@Body() form: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const name = (form.name ?? '').trim();
    const values = { name: form.name ?? '', id: form.id ?? '' };
    const typedId = (form.id ?? '').trim();
    const checked = await validateForm(RegisterPartnerRequest, { name: form.name, id: typedId || shortNameOf(name) });
    if (!checked.ok) {
      // With no name, the short name made from it says nothing the name's own error does not.
      const errors = typedId || name ? checked.errors : checked.errors.filter((error) => error.field !== 'id');
      await this.renderPartners(reply, web, { values, errors: fieldMessages(errors) }, errorList(errors, 'partner-'), 400);
      return;
    }
    try {
      const { id, name: registered } = checked.value;
      await this.commands.execute(
        new ChangePartnersCommand({ type: 'RegisterPartner', partnerId: id, name: registered }, this.context(web)),
      );
      reply.redirect(`/admin/partners?done=${encodeURIComponent(id)}`, 303);
    } catch (error) {
      const refused = registrationRefusal(error, typedId !== '', checked.value.id);
      await this.renderPartners(
        reply,
        web,
        { values, errors: refused.errors },
        [{ text: refused.message, href: refused.href }],
        refused.status,
      );
    }
  }

  @Get('partners/:id')
  @PageFor('setPartnerMailbox')
  async partnerForm(@Param('id') id: string, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const partner = await this.partner(id);
    await this.renderPartner(reply, web, partner, { values: { name: partner.name, email: partner.mailbox ?? '' }, errors: {} }, []);
  }

  /** The agency's name and mailbox, changed together: what changed is recorded in one write, and nothing else. */
  @Post('partners/:id')
  @PageFor('setPartnerMailbox')
  async changePartner(
    @Param('id') id: string,
    @Body() form: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    const partner = await this.partner(id);
    const values = { name: form.name ?? '', email: form.email ?? '' };
    const keepsNoMailbox = !partner.mailbox && !values.email.trim();
    const [name, email] = await Promise.all([
      validateForm(RenamePartnerRequest, { name: values.name }),
      keepsNoMailbox ? undefined : validateForm(SetPartnerMailboxRequest, { email: values.email.trim() }),
    ]);
    const errors = [...(name.ok ? [] : name.errors), ...(email && !email.ok ? email.errors : [])];
    if (!name.ok || (email && !email.ok)) {
      await this.renderPartner(reply, web, partner, { values, errors: fieldMessages(errors) }, errorList(errors), 400);
      return;
    }
    const rename: PartnerRegistryCommand = { type: 'RenamePartner', partnerId: partner.id, name: name.value.name };
    const change = email
      ? ([rename, { type: 'SetPartnerMailbox', partnerId: partner.id, email: email.value.email } as const] as const)
      : rename;
    try {
      await this.commands.execute(new ChangePartnersCommand(change, this.context(web)));
    } catch (error) {
      await this.renderRefused(reply, web, partner, values, error);
      return;
    }
    reply.redirect(`/admin/partners?done=${encodeURIComponent(partner.id)}`, 303);
  }

  /** The agency's form again, saying beside the field what the change was refused for (a name another agency has). */
  private async renderRefused(reply: HtmlReply, web: WebPageContext, partner: Partner, values: Record<string, string>, error: unknown) {
    const refused = refusal(error);
    if (refused === undefined) throw error;
    const field = refused.field ?? 'name';
    const messages = refused.field ? { [field]: refused.message } : {};
    await this.renderPartner(
      reply,
      web,
      partner,
      { values, errors: messages },
      [{ text: refused.message, href: `#${field}` }],
      refused.status,
    );
  }

  @Get('mail')
  @PageFor('readNotifications')
  async outbox(@Query('status') status: string | undefined, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const shown = (NOTIFICATION_STATUSES as readonly string[]).includes(status ?? '') ? (status as NotificationStatus) : undefined;
    const { items }: { items: NotificationView[] } = await this.queries.execute(
      new ListNotificationsQuery({ status: shown, limit: OUTBOX_PAGE }),
    );
    await renderPage(reply, 'notifications.njk', {
      title: 'Mail',
      section: 'mail',
      web,
      items,
      status: shown,
      statuses: NOTIFICATION_STATUSES,
      mail: await this.notifications.health(),
      limit: OUTBOX_PAGE,
    });
  }

  /** The events readers set aside as unreadable, with what to do about them. */
  @Get('quarantine')
  @PageFor('readQuarantine')
  async quarantine(@Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const { items } = await this.queries.execute(new ListQuarantineQuery(QUARANTINE_PAGE));
    await renderPage(reply, 'quarantine.njk', { title: 'Quarantine', section: 'quarantine', web, items, limit: QUARANTINE_PAGE });
  }

  private context(web: WebPageContext) {
    return { actor: web.session.actor, correlationId: randomUUID() };
  }

  private async partner(id: string): Promise<Partner> {
    const partner = await this.partners.find(id);
    if (!partner) throw new NotFound('partner-not-found', `No partner is registered as '${id}'.`);
    return partner;
  }

  private async renderPartners(
    reply: HtmlReply,
    web: WebPageContext,
    form: FormState,
    errors: readonly { text: string; href: string }[],
    status = 200,
    done?: string,
  ): Promise<void> {
    const partners = (await this.partners.all()).sort((a, b) => a.name.localeCompare(b.name));
    await renderPage(
      reply,
      'partners.njk',
      {
        title: 'Partner agencies',
        section: 'partners',
        web,
        partners,
        form,
        errors,
        done: partners.find((partner) => partner.id === done),
        mail: await this.notifications.health(),
      },
      status,
    );
  }

  private async renderPartner(
    reply: HtmlReply,
    web: WebPageContext,
    partner: Partner,
    form: FormState,
    errors: readonly { text: string; href: string }[],
    status = 200,
  ): Promise<void> {
    await renderPage(
      reply,
      'partner.njk',
      {
        title: `Change ${partner.name}`,
        section: 'partners',
        web,
        partner,
        form,
        errors,
        backLink: { text: 'Partner agencies', href: '/admin/partners' },
      },
      status,
    );
  }
}
