import { Body, Controller, Get, Inject, Logger, NotFoundException, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { DEMO_USERS } from '../demo/demo-users';
import { NoRoleHere, OidcSignIn, SignInNotFinished } from './oidc-sign-in';
import { HtmlReply, WebErrorFilter, WebRequest, renderPage } from './web-page';
import { WEB_CONFIG, WebSessions, cookieHeader } from '../auth/web-session';
import { WebConfig } from '../config/config';

const OIDC_FLOW_COOKIE = 'la_oidc';

const THIS_SITE = 'https://this-service.invalid';
/** Whitespace, controls and backslashes, which browsers drop or read as slashes on the way to another site. */
const UNSAFE_IN_NEXT = /[\s\p{Cc}\p{Cf}\\]/u;

/**
 * Only a path of this service, never another's: read against this service's own origin, refused
 * unless it stays there, and sent on percent-encoded. Anything else goes to the start page.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || UNSAFE_IN_NEXT.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, THIS_SITE);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" resolves to the path "//evil.example", which a browser reads as another host.
  return url.origin === THIS_SITE && !path.startsWith('//') ? path : '/';
}

@ApiExcludeController()
@Public()
@UseFilters(WebErrorFilter)
@Controller()
export class SignInController {
  private readonly logger = new Logger('sign-in');
  private readonly devSignIn: boolean;

  constructor(
    private readonly sessions: WebSessions,
    private readonly oidc: OidcSignIn,
    @Inject(WEB_CONFIG) config: WebConfig,
  ) {
    this.devSignIn = config.development;
  }

  @Get('sign-in')
  async signInPage(@Query('next') next: string | undefined, @Res() reply: HtmlReply): Promise<void> {
    await this.renderSignIn(reply, safeNext(next), {});
  }

  @Get('sign-in/oidc')
  async startOidc(@Query('next') next: string | undefined, @Res() reply: HtmlReply): Promise<void> {
    if (!this.oidc.enabled) throw new NotFoundException();
    const { url, verifier, state } = await this.oidc.start();
    const flow = await this.sessions.sealedCookie(OIDC_FLOW_COOKIE, { verifier, state, next: safeNext(next) }, 10);
    reply.header('set-cookie', flow).redirect(url, 303);
  }

  @Get('sign-in/callback')
  async finishOidc(@Req() request: WebRequest & { protocol?: string; hostname?: string }, @Res() reply: HtmlReply): Promise<void> {
    if (!this.oidc.enabled) throw new NotFoundException();
    const flow = await this.sessions.unseal(OIDC_FLOW_COOKIE, cookieHeader(request));
    if (!flow) {
      reply.redirect('/sign-in', 303);
      return;
    }
    // The provider sends the browser back to the redirect URL we registered; its query is the answer.
    const callback = new URL(request.url, this.oidc.redirectUrl);
    try {
      const actor = await this.oidc.finish(callback, String(flow.verifier), String(flow.state));
      const { cookie: session } = await this.sessions.start(actor);
      reply.header('set-cookie', [session, this.sessions.endCookie(OIDC_FLOW_COOKIE)]).redirect(safeNext(flow.next), 303);
    } catch (error) {
      if (error instanceof SignInNotFinished) {
        this.logger.warn({ reason: error.message }, 'a sign-in did not finish');
        reply.header('set-cookie', this.sessions.endCookie(OIDC_FLOW_COOKIE));
        await renderPage(
          reply,
          'error.njk',
          { title: 'Sign-in did not finish', status: 400, detail: error.message, signInAgain: true },
          400,
        );
        return;
      }
      if (!(error instanceof NoRoleHere)) throw error;
      await renderPage(reply, 'error.njk', { title: 'You cannot use this service', status: 403, detail: error.message, noRole: true }, 403);
    }
  }

  @Post('sign-in')
  async signIn(@Body() form: { user?: string; next?: string }, @Res() reply: HtmlReply): Promise<void> {
    if (!this.devSignIn) throw new NotFoundException();
    const user = DEMO_USERS.find((candidate) => candidate.userId === form.user);
    if (!user) {
      await this.renderSignIn(reply, safeNext(form.next), { user: 'Choose who you are' }, 400);
      return;
    }
    const { description: _description, ...actor } = user;
    const { cookie } = await this.sessions.start(actor);
    reply.header('set-cookie', cookie).redirect(safeNext(form.next), 303);
  }

  @Post('sign-out')
  async signOut(@Req() request: WebRequest, @Res() reply: HtmlReply): Promise<void> {
    const cookie = cookieHeader(request);
    const session = await this.sessions.read(cookie);
    // Signing out needs the form's token too, so that another site cannot sign a user out.
    if (session && !this.sessions.isValidCsrf(session, request.body?._csrf)) {
      reply.redirect('/', 303);
      return;
    }
    await this.sessions.end(cookie);
    reply.header('set-cookie', this.sessions.endCookie()).redirect('/sign-in', 303);
  }

  @Get()
  home(@Res() reply: HtmlReply): void {
    reply.redirect('/start', 303);
  }

  private renderSignIn(reply: HtmlReply, next: string, fieldErrors: Record<string, string>, status = 200) {
    const errors = Object.values(fieldErrors).map((text) => ({ text, href: '#user' }));
    const users = DEMO_USERS.map((user, index) => ({
      value: user.userId,
      text: user.name,
      hint: { text: user.description },
      ...(index === 0 && { id: 'user' }),
    }));
    return renderPage(
      reply,
      'sign-in.njk',
      { title: 'Sign in', next, users, errors, fieldErrors, oidc: this.oidc.enabled, devSignIn: this.devSignIn },
      status,
    );
  }
}
