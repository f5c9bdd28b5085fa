/**
 * E-mail delivery over SMTP (nodemailer), configured by SMTP_URL. The report's HTML is the
 * body; every file is attached. Errors carry the SMTP reply, never the report.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { ReportFile } from '@silhouette/db';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments: ReportFile[];
}

export class EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs = 20_000,
  ) {
    const url = new URL(smtpUrl);
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
      throw new Error('SMTP_URL must start with smtp:// or smtps://');
    const secure = url.protocol === 'smtps:';
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (secure ? 465 : 587)),
      secure,
      ...(url.username
        ? {
            auth: {
              user: decodeURIComponent(url.username),
              pass: decodeURIComponent(url.password),
            },
          }
        : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(message: EmailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      attachments: message.attachments.map((file) => ({
        filename: file.name,
        content: file.content,
        contentType: file.contentType,
      })),
    });
  }

  close(): void {
    this.transport.close();
  }
}
