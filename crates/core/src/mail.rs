//! Outgoing e-mail: through an SMTP server when one is configured
//! (`CODEFOR_SMTP_URL`), else written to the log so that a local instance works
//! without one.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("address `{0}` is not valid")]
    Address(String),
    #[error("sending mail: {0}")]
    Send(String),
}

/// A message to one recipient, plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log,
}

/// Sends mail. Cheap to clone; one per process.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Log => "log",
        };
        f.debug_struct("Mailer")
            .field("transport", &kind)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// SMTP from a URL such as `smtp://127.0.0.1:25` (plain, for a local relay),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://host:465`.
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Config(format!("CODEFOR_SMTP_URL: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        Ok(Mailer {
            transport: Transport::Smtp(transport),
            from: parse_mailbox(from)?,
        })
    }

    /// No SMTP server: every message goes to the log (for trying the platform out).
    pub fn log_only(from: &str) -> Result<Mailer, MailError> {
        Ok(Mailer {
            transport: Transport::Log,
            from: parse_mailbox(from)?,
        })
    }

    pub fn is_log_only(&self) -> bool {
        matches!(self.transport, Transport::Log)
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(parse_mailbox(&mail.to)?)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            // Quoted-printable: readable in any mail client and in the raw message.
            .body(
                Body::new_with_encoding(
                    mail.body.clone(),
                    ContentTransferEncoding::QuotedPrintable,
                )
                .map_err(|_| MailError::Send("the text cannot be encoded".into()))?,
            )
            .map_err(|e| MailError::Send(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map_err(|e| MailError::Send(e.to_string()))?;
            }
            Transport::Log => {
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    "no SMTP server configured (CODEFOR_SMTP_URL); this mail was not sent:\n{}",
                    mail.body
                );
            }
        }
        Ok(())
    }
}

fn parse_mailbox(address: &str) -> Result<Mailbox, MailError> {
    address
        .parse()
        .map_err(|_| MailError::Address(address.to_owned()))
}
