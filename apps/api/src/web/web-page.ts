import {
  ArgumentsHost,
  CanActivate,
  Catch,
  ExceptionFilter,
  ExecutionContext,
  Injectable,
  Logger,
  SetMetadata,
  UseFilters,
  UseGuards,
  applyDecorators,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { Permission, Role, rolesFor } from '@app/domain';
import { Public } from '../auth/roles.decorator';
import { PartnerDirectory } from '../partners/partner-directory';
import { ClosableReply, answerOrClose, logFailure, toProblem } from '../http/problem.filter';
import { WebSession, WebSessions, cookieHeader } from '../auth/web-session';

const WEB_ROLES = 'web-roles';

export type WebRequest = {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Record<string, unknown>;
  web?: WebPageContext;
};

/** What every page template gets: who is signed in, the CSRF token for its forms, where it is, and the partner agencies' names. */
export type WebPageContext = Readonly<{
  session: WebSession;
  csrfToken: string;
  path: string;
  partnerNames: Readonly<Record<string, string>>;
}>;

export type HtmlReply = ClosableReply & {
  status(code: number): HtmlReply;
  header(name: string, value: string | string[]): HtmlReply;
  redirect(url: string, code?: number): HtmlReply;
  viewAsync(template: string, context: object): Promise<string>;
  type(contentType: string): HtmlReply;
  send(body: unknown): HtmlReply;
};

class SignInRequired extends Error {}
class FormTampered extends Error {}

/** Pages for signed-in users with one of the roles; bearer tokens play no part here, the session cookie does. */
export const WebPages = () => applyDecorators(ApiExcludeController(), Public(), UseGuards(WebGuard), UseFilters(WebErrorFilter));
/** Who may open the page: those the one table of who may do what lets do what it shows or does. */
export const PageFor = (permission: Permission) => SetMetadata(WEB_ROLES, rolesFor(permission));

export const Page = createParamDecorator(
  (_: unknown, context: ExecutionContext): WebPageContext => context.switchToHttp().getRequest<WebRequest>().web!,
);

@Injectable()
export class WebGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: WebSessions,
    private readonly partners: PartnerDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebRequest>();
    const session = await this.sessions.read(cookieHeader(request));
    if (!session) throw new SignInRequired();
    // Every form posts the token bound to the session: a page on another site cannot make one.
    if (request.method === 'POST' && !this.sessions.isValidCsrf(session, request.body?._csrf)) throw new FormTampered();
    const roles = this.reflector.getAllAndOverride<Role[]>(WEB_ROLES, [context.getHandler(), context.getClass()]) ?? [];
    if (!roles.some((role) => session.actor.roles.includes(role))) throw new WebForbidden();
    const partners = (await this.partners.all()).sort((a, b) => a.name.localeCompare(b.name));
    const partnerNames = Object.fromEntries(partners.map((partner) => [partner.id, partner.name]));
    request.web = { session, csrfToken: this.sessions.csrfToken(session), path: request.url, partnerNames };
    return true;
  }
}

export class WebForbidden extends Error {}

/** A page, with the moment it was made for its printed footer. */
export async function renderPage(reply: HtmlReply, template: string, context: object, status = 200): Promise<void> {
  const html = await reply.viewAsync(template, { printedAt: new Date().toISOString(), ...context });
  reply.status(status).type('text/html; charset=utf-8').send(html);
}

/** Errors on pages become GOV.UK error pages, never a stack trace; a missing session goes to sign-in. */
@Catch()
export class WebErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('web');

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const reply = host.switchToHttp().getResponse<HtmlReply>();
    const request = host.switchToHttp().getRequest<WebRequest>();
    await answerOrClose(reply, this.logger, () => this.answer(error, request, reply));
  }

  private async answer(error: unknown, request: WebRequest, reply: HtmlReply): Promise<void> {
    if (error instanceof SignInRequired) {
      reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    const { status, detail } =
      error instanceof WebForbidden || error instanceof FormTampered ? { status: 403, detail: '' } : toProblem(error);
    logFailure(this.logger, error, { status, detail });
    const title =
      error instanceof FormTampered
        ? 'This form has expired'
        : (ERROR_TITLES[status] ?? (status >= 500 ? ERROR_TITLES[500] : 'There is a problem'));
    await renderPage(
      reply,
      'error.njk',
      { title, status, detail: status >= 500 ? '' : detail, web: request.web, formTampered: error instanceof FormTampered },
      status,
    );
  }
}

const ERROR_TITLES: Record<number, string> = {
  403: 'You do not have access to this page',
  404: 'Page not found',
  409: 'That change cannot be made now',
  500: 'Sorry, there is a problem with the service',
  503: 'Sorry, the service is unavailable',
};
