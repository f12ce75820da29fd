//! Delivery over SMTP with lettre: rustls only, certificates always verified.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use crate::model::{Security, SmtpSettings};

pub struct Mailer {
    transport: SmtpTransport,
    /// `[smtp] timeout`, for messages.
    timeout: std::time::Duration,
    host: String,
    port: u16,
    user: Option<String>,
}

/// Why one email was not delivered, by what a run should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server refused this email for now (4xx); the next run retries it.
    Transient(String),
    /// The server refused this email for good (5xx): sending it again gets the same answer.
    Permanent(String),
    /// The server refused the login: every email of the run would fail the same way.
    Auth(String),
    /// No conversation with the server (refused, timed out, TLS failed): the other emails of
    /// the run would wait for the same failure.
    Connection(String),
}

impl Failure {
    pub fn reason(&self) -> &str {
        match self {
            Failure::Transient(r)
            | Failure::Permanent(r)
            | Failure::Auth(r)
            | Failure::Connection(r) => r,
        }
    }
}

/// Extra CA certificates: a PEM file's bytes and its name for messages.
pub struct ExtraRoots {
    pub name: String,
    pub pem: Vec<u8>,
}

impl Mailer {
    /// A mailer for `settings`; `credentials` are the username and the password read from the
    /// environment at the edge; `roots` are trusted on top of the built-in ones.
    pub fn new(
        settings: &SmtpSettings,
        credentials: Option<(String, String)>,
        roots: &[ExtraRoots],
    ) -> Result<Mailer, String> {
        let host = settings.host.as_str();
        let parameters = || -> Result<TlsParameters, String> {
            let mut builder = TlsParameters::builder(host.to_owned());
            for extra in roots {
                let certificates = extra
                    .pem
                    .windows(27)
                    .filter(|w| w == b"-----BEGIN CERTIFICATE-----")
                    .count();
                if certificates == 0 {
                    return Err(format!("`{}` holds no PEM certificate", extra.name));
                }
                let cert = Certificate::from_pem(&extra.pem)
                    .map_err(|e| format!("`{}` is not a PEM certificate file: {e}", extra.name))?;
                builder = builder.add_root_certificate(cert);
            }
            builder.build().map_err(|e| e.to_string())
        };
        let tls = match settings.security {
            Security::StartTls => Tls::Required(parameters()?),
            Security::Tls => Tls::Wrapper(parameters()?),
            // Validation allows this for loopback hosts only.
            Security::None => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(settings.timeout));
        let user = credentials.as_ref().map(|(user, _)| user.clone());
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Mailer {
            transport: builder.build(),
            timeout: settings.timeout,
            host: host.to_owned(),
            port: settings.port,
            user,
        })
    }

    /// Sends one message; `Ok` means the server accepted it.
    pub fn send(&self, message: &Message) -> Result<(), Failure> {
        self.transport
            .send(message)
            .map(drop)
            .map_err(|e| self.classify(&e))
    }

    /// A delivery failure in a user's words, with the server's reply where there is one.
    fn classify(&self, e: &lettre::transport::smtp::Error) -> Failure {
        let chain = chain(e);
        let server = format!("{}:{}", self.host, self.port);
        let code = e.status().map(u16::from);
        if matches!(code, Some(530 | 534 | 535 | 538)) || chain.contains("authentication") {
            let who = self.user.as_deref().unwrap_or("(no username)");
            return Failure::Auth(format!("{server} refused the login as `{who}`: {chain}"));
        }
        if e.is_transient() {
            return Failure::Transient(format!("the server refused it for now: {chain}"));
        }
        if e.is_permanent() {
            return Failure::Permanent(format!("the server rejected it: {chain}"));
        }
        if e.is_timeout() || timed_out(e) {
            return Failure::Connection(format!(
                "{server} did not answer within {} s ([smtp] timeout)",
                self.timeout.as_secs()
            ));
        }
        if chain.contains("invalid peer certificate") || chain.contains("certificate") {
            return Failure::Connection(format!(
                "the certificate of {server} is not trusted ({chain}); if the server uses a \
                 company CA, name its PEM file in [smtp] ca_file"
            ));
        }
        if e.is_tls() {
            return Failure::Connection(format!("the TLS connection to {server} failed: {chain}"));
        }
        if has_io(e, std::io::ErrorKind::ConnectionRefused) {
            return Failure::Connection(format!("nothing is listening at {server}"));
        }
        Failure::Connection(format!("cannot talk to {server}: {chain}"))
    }
}

/// The error and its sources, each once.
fn chain(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
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

/// A socket timeout shows as "Resource temporarily unavailable" (EAGAIN) or "timed out".
fn timed_out(e: &lettre::transport::smtp::Error) -> bool {
    has_io(e, std::io::ErrorKind::WouldBlock) || has_io(e, std::io::ErrorKind::TimedOut)
}

fn has_io(e: &lettre::transport::smtp::Error, kind: std::io::ErrorKind) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        source = s.source();
    }
    false
}
