/** One email: plain text and HTML, as every mail Gatehouse sends has both. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail: SES v2 on AWS, the aws-ses-v2-local emulator under `npm start` and the tests. */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}
