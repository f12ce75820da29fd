//! Delivery over SMTP with lettre: rustls only, certificates always verified.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use crate::model::{Security, SmtpSettings};

/// How long one SMTP conversation step may take before the delivery counts as failed.
const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Mailer {
    transport: SmtpTransport,
}

impl Mailer {
    /// A mailer for `settings`; `credentials` are the username and the password read from the
    /// environment at the edge.
    pub fn new(
        settings: &SmtpSettings,
        credentials: Option<(String, String)>,
    ) -> Result<Mailer, lettre::transport::smtp::Error> {
        let host = settings.host.as_str();
        let tls = match settings.security {
            Security::StartTls => Tls::Required(TlsParameters::new(host.to_owned())?),
            Security::Tls => Tls::Wrapper(TlsParameters::new(host.to_owned())?),
            // Validation allows this for loopback hosts only.
            Security::None => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Mailer {
            transport: builder.build(),
        })
    }

    /// Sends one message; `Ok` means the server accepted it.
    pub fn send(&self, message: &Message) -> Result<(), String> {
        self.transport
            .send(message)
            .map(drop)
            .map_err(|e| describe(&e))
    }
}

/// A delivery failure in a user's words, with the server's reply where there is one.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let kind = if e.is_transient() {
        "the server refused it for now"
    } else if e.is_permanent() {
        "the server rejected it"
    } else if e.is_timeout() {
        "the server did not answer in time"
    } else if e.is_tls() {
        "the TLS connection failed"
    } else {
        "the connection failed"
    };
    let mut text = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}
