import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '@app/infrastructure';
import { pause } from './projection-checks';

export type ReceivedMail = Readonly<{
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  rule: string;
  /** The whole message as it came, headers and both parts. */
  raw: string;
  /** Whether it came over TLS (STARTTLS). */
  secure: boolean;
}>;

/**
 * A real SMTP server on 127.0.0.1 for the service to send to. A mail counts as received only when
 * the server has answered 250 to it on a connection still open: one whose sender died first was
 * never handed over. It can hold its answer to each mail, and be stopped and started again on the same port.
 */
export class TestMailServer {
  readonly received: ReceivedMail[] = [];
  private server?: SMTPServer;
  private held?: Promise<void>;
  private release?: () => void;
  /** Sessions whose connection closed. */
  private readonly closed = new Set<string>();
  private readonly open = new Set<string>();
  /** Mails whose data had all arrived, held or not. */
  arrived = 0;
  /** Recipients refused for good (550), as a server refuses a mailbox that does not exist. */
  readonly refused = new Set<string>();

  private constructor(
    readonly port: number,
    private readonly offerStartTls: boolean,
  ) {}

  /** Offering STARTTLS, it does so with smtp-server's own self-signed certificate, as a relay on a council network may. */
  static async start({ offerStartTls = false } = {}): Promise<TestMailServer> {
    const server = new TestMailServer(await freePort(), offerStartTls);
    await server.up();
    return server;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: this.offerStartTls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      logger: false,
      closeTimeout: 100,
      onConnect: (session, callback) => {
        this.open.add(session.id);
        callback();
      },
      onClose: (session) => {
        this.open.delete(session.id);
        this.closed.add(session.id);
      },
      onRcptTo: (address, _session, callback) => {
        if (!this.refused.has(address.address)) return callback();
        callback(Object.assign(new Error(`Mailbox ${address.address} does not exist`), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.arrived += 1;
          const raw = Buffer.concat(chunks);
          void (async () => {
            await this.held;
            if (this.closed.has(session.id)) return;
            const parsed: ParsedMail = await simpleParser(raw);
            this.received.push({
              to: session.envelope.rcptTo.map((address) => address.address).join(','),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              rule: String(parsed.headers.get('x-notification-rule') ?? ''),
              raw: raw.toString(),
              secure: session.secure,
            });
            callback();
          })();
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Stops listening and drops every connection: the service finds the server down. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.release?.();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** From now on, each mail's data is taken but not answered until `release` is called. */
  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  releaseHeld(): void {
    this.release?.();
    this.held = undefined;
  }

  /** Connections open now: a sender that died has none left once the server has noticed. */
  get openConnections(): number {
    return this.open.size;
  }

  /** Waits until `count` mails have been received in all, and gives them. */
  async waitForCount(count: number, timeoutMs = 20_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline)
        throw new Error(`${this.received.length} mails received, not ${count}: ${this.received.map((mail) => mail.rule).join(', ')}`);
      await pause(50);
    }
    return [...this.received];
  }
}
