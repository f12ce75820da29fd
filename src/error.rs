//! The one error type of the edges; each kind maps to a contract exit code.

use crate::config::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad flags or arguments: exit 2.
    #[error("{message}")]
    Usage {
        message: String,
        help: Option<String>,
    },
    /// A config that does not parse or validate: exit 2.
    #[error("{0}")]
    Config(Box<ConfigError>),
    /// The command could not finish its work (a file not written, a mail not sent): exit 1.
    #[error("{message}")]
    Failed {
        message: String,
        help: Option<String>,
    },
}

impl Error {
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    pub fn failed(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Failed {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage { .. } | Error::Config(_) => 2,
            Error::Failed { .. } => 1,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(Box::new(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
