/**
 * A local SMTP server for tests (the smtp-server package on a free port) that receives Anlan's
 * mail and parses it (mailparser), so tests read subject, text and Message-ID as a mail client
 * would. Addresses can be refused permanently (550) or for now (451).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string | undefined;
  idempotencyKey: string | undefined;
}

export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Mailboxes that do not exist: RCPT TO answers 550. */
  readonly unknown = new Set<string>();
  /** Mailboxes refused for now (451) this many more times. */
  readonly busy = new Map<string, number>();
  private server!: SMTPServer;
  private port = 0;

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    sink.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const to = address.address.toLowerCase();
        if (sink.unknown.has(to)) return callback(Object.assign(new Error('5.1.1 no such mailbox'), { responseCode: 550 }));
        const left = sink.busy.get(to) ?? 0;
        if (left > 0) {
          sink.busy.set(to, left - 1);
          return callback(Object.assign(new Error('4.2.1 mailbox busy, try again later'), { responseCode: 451 }));
        }
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            const key = mail.headers.get('x-anlan-idempotency-key');
            sink.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              messageId: mail.messageId,
              idempotencyKey: typeof key === 'string' ? key : undefined,
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', () => resolve()));
    sink.port = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  /** For ANLAN_SMTP_URL. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
